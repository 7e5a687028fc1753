package io.pvmm.guest.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.hw.PhysicalMemory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
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

    @Test
    @DisplayName("a double free is a kernel bug, in a slab with other objects free and in a wholly free one")
    void doubleFree() {
        SlabCache cache = new SlabCache("pgd", 32, null, null, pool, pages);
        long a = cache.alloc();
        long b = cache.alloc();
        long c = cache.alloc();
        cache.free(b);
        assertThatThrownBy(() -> cache.free(b)).isInstanceOf(KernelOops.class).hasMessageContaining("double kmem_cache_free");
        cache.free(a);
        cache.free(c);
        assertThat(cache.activeObjects()).isZero();
        assertThatThrownBy(() -> cache.free(c)).isInstanceOf(KernelOops.class).hasMessageContaining("double kmem_cache_free");
        assertThat(cache.alloc()).as("the failed frees changed nothing: last freed, first handed out").isEqualTo(c);
        assertThat(cache.alloc()).isEqualTo(a);
        assertThat(cache.alloc()).isEqualTo(b);
    }

    @Test
    @DisplayName("freeing what the cache never handed out is a kernel bug: another page, or an address inside an object")
    void notAnObject() {
        SlabCache cache = new SlabCache("pgd", 32, null, null, pool, pages);
        long a = cache.alloc();
        assertThatThrownBy(() -> cache.free(a + 8)).isInstanceOf(KernelOops.class).hasMessageContaining("is not an object of this cache");
        assertThatThrownBy(() -> cache.free(a + 4096)).isInstanceOf(KernelOops.class).hasMessageContaining("is not an object of this cache");
        cache.shrink();
        cache.free(a);
        cache.shrink();
        assertThatThrownBy(() -> cache.free(a)).as("its slab was destroyed").isInstanceOf(KernelOops.class)
                .hasMessageContaining("is not an object of this cache");
    }

    @RepeatedTest(value = 4, name = "seed {currentRepetition}")
    @DisplayName("objects of many slabs freed in a seeded order, with shrinks between, each go back to their own slab")
    void manySlabs(RepetitionInfo rep) {
        Random rnd = new Random(rep.getCurrentRepetition());
        SlabCache cache = new SlabCache("pmd", 2048, constructed::add, destroyed::add, pool, pages);
        long free = pool.freePages();
        List<Long> live = new ArrayList<>();
        for (int i = 0; i < 2 * 150; i++) {
            live.add(cache.alloc());
        }
        assertThat(new HashSet<>(live)).hasSize(live.size());
        assertThat(cache.slabPages()).isEqualTo(150);
        Collections.shuffle(live, rnd);
        Set<Long> freed = new HashSet<>();
        // a slab page holds two 2048-byte objects; shrink destroys exactly the slabs both of whose objects are free
        Map<Long, Integer> inUsePerSlab = new HashMap<>();
        live.forEach(obj -> inUsePerSlab.merge(obj >>> 12, 1, Integer::sum));
        Set<Long> slabsLeft = new HashSet<>(inUsePerSlab.keySet());
        for (int i = 0; i < live.size(); i++) {
            cache.free(live.get(i));
            freed.add(live.get(i));
            inUsePerSlab.merge(live.get(i) >>> 12, -1, Integer::sum);
            if (rnd.nextInt(16) == 0) {
                int before = cache.slabPages();
                long empty = slabsLeft.stream().filter(page -> inUsePerSlab.get(page) == 0).count();
                int shrunk = cache.shrink();
                assertThat(shrunk).as("slabs destroyed: the %d whose objects are all free", empty).isEqualTo(empty);
                slabsLeft.removeIf(page -> inUsePerSlab.get(page) == 0);
                assertThat(cache.slabPages()).isEqualTo(before - shrunk).isEqualTo(slabsLeft.size());
            }
            assertThat(cache.activeObjects()).isEqualTo(live.size() - i - 1);
        }
        for (long obj : live) {
            if (rnd.nextBoolean()) {
                long page = obj >>> 12;
                boolean slabLeft = destroyed.stream().noneMatch(d -> d >>> 12 == page);
                if (slabLeft) {
                    assertThatThrownBy(() -> cache.free(obj)).isInstanceOf(KernelOops.class).hasMessageContaining("double");
                } else {
                    assertThatThrownBy(() -> cache.free(obj)).isInstanceOf(KernelOops.class).hasMessageContaining("not an object");
                }
            }
        }
        cache.shrink();
        assertThat(cache.slabPages()).isZero();
        assertThat(destroyed).containsExactlyInAnyOrderElementsOf(constructed);
        assertThat(pool.freePages()).isEqualTo(free);
    }
}
