package io.pvmm.guest.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SlabCache: constructed objects, cached until the cache is shrunk")
class SlabCacheTest {

    private final PhysicalMemory memory = new PhysicalMemory(PagingMode.PAE, 256);
    private final PageFrames pages = new PageFrames(256);
    private final FreePool pool = new FreePool(memory, pages, 256, 1, () -> 0, AllocFailures.NONE);
    private final List<Long> constructed = new ArrayList<>();
    private final List<Long> destroyed = new ArrayList<>();

    SlabCacheTest() {
        for (long pfn = 255; pfn >= 16; pfn--) {
            pool.addBootPage(pfn);
        }
    }

    @Test
    @DisplayName("growing a slab constructs every object in it; alloc and free construct nothing more")
    void ctorPerSlab() {
        SlabCache cache = new SlabCache("pgd", 32, constructed::add, destroyed::add, pool, pages);
        long a = cache.alloc();
        assertThat(constructed).hasSize(128);
        cache.free(a);
        assertThat(cache.alloc()).isEqualTo(a);
        assertThat(constructed).hasSize(128);
        assertThat(destroyed).isEmpty();
    }

    @Test
    @DisplayName("shrink destroys only wholly free slabs, running the destructor on each object, and frees the page")
    void shrink() {
        SlabCache cache = new SlabCache("pgd", 4096, constructed::add, destroyed::add, pool, pages);
        long a = cache.alloc();
        long b = cache.alloc();
        cache.free(a);
        long free = pool.freePages();
        assertThat(cache.shrink()).isEqualTo(1);
        assertThat(destroyed).containsExactly(a);
        assertThat(pool.freePages()).isEqualTo(free + 1);
        assertThat(cache.activeObjects()).isEqualTo(1);
        cache.free(b);
        cache.shrink();
        assertThat(destroyed).containsExactly(a, b);
        assertThat(cache.slabPages()).isZero();
    }

    @Test
    @DisplayName("a slab that cannot grow reports no memory and constructs nothing")
    void oom() {
        FreePool empty = new FreePool(memory, pages, 256, 1, () -> 0, AllocFailures.NONE);
        SlabCache cache = new SlabCache("pmd", 4096, constructed::add, null, empty, pages);
        assertThat(cache.alloc()).isEqualTo(FreePool.NO_FRAME);
        assertThat(constructed).isEmpty();
    }
}
