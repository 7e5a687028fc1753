package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.hw.PhysicalMemory;
import io.pvmm.guest.memory.AllocFailures;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.PageFrames;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The page cache: one frame per file page, a reference for the cache and one per lookup, all given back by a drop. */
class PageCacheTest {

    private static final int FRAMES = 64;

    private final PhysicalMemory memory = new PhysicalMemory(PagingMode.TWO_LEVEL, FRAMES);
    private final PageFrames pages = new PageFrames(FRAMES);

    private FreePool pool(AllocFailures failures) {
        FreePool pool = new FreePool(memory, pages, FRAMES, 1, () -> 0, failures);
        for (long pfn = 8; pfn < FRAMES; pfn++) {
            pool.addBootPage(pfn);
        }
        return pool;
    }

    @Test
    @DisplayName("a file page is read once: later lookups return its frame, each taking a reference beside the cache's")
    void onePagePerFilePage() {
        FreePool pool = pool(AllocFailures.NONE);
        PageCache cache = new PageCache(pool, pages);
        long free = pool.freePages();
        long a = cache.get(1, 7);
        assertThat(cache.get(1, 7)).isEqualTo(a);
        assertThat(pages.count(a)).as("the cache's reference and two lookups'").isEqualTo(3);
        assertThat(cache.size()).isEqualTo(1);
        assertThat(pool.freePages()).isEqualTo(free - 1);
    }

    @Test
    @DisplayName("pages of other files or other offsets are other frames: the key keeps file and offset apart")
    void keysApart() {
        PageCache cache = new PageCache(pool(AllocFailures.NONE), pages);
        long f0i0 = cache.get(0, 0);
        long f1i0 = cache.get(1, 0);
        long f0i5 = cache.get(0, 5);
        long f1i5 = cache.get(1, 5);
        assertThat(Set.of(f0i0, f1i0, f0i5, f1i5)).hasSize(4);
        assertThat(cache.size()).isEqualTo(4);
    }

    @Test
    @DisplayName("a read that finds no free frame returns none and caches nothing")
    void outOfMemory() {
        FreePool pool = pool(new AllocFailures(1, 0.0, 0));
        PageCache cache = new PageCache(pool, pages);
        assertThat(cache.get(2, 0)).isEqualTo(FreePool.NO_FRAME);
        assertThat(cache.size()).isZero();
    }

    @Test
    @DisplayName("a drop gives back the cache's references: a page nobody else holds returns to the pool, a mapped one stays")
    void drop() {
        FreePool pool = pool(AllocFailures.NONE);
        PageCache cache = new PageCache(pool, pages);
        long free = pool.freePages();
        long unmapped = cache.get(3, 0);
        pages.put(unmapped); // its mapping went away: only the cache holds it
        long mapped = cache.get(3, 1);
        cache.drop();
        assertThat(cache.size()).isZero();
        assertThat(pool.isFree(unmapped)).isTrue();
        assertThat(pool.isFree(mapped)).isFalse();
        assertThat(pages.count(mapped)).isEqualTo(1);
        assertThat(pool.freePages()).isEqualTo(free - 1);
        assertThat(cache.get(3, 0)).as("a dropped page is read again").isNotEqualTo(FreePool.NO_FRAME);
        assertThat(cache.size()).isEqualTo(1);
    }
}
