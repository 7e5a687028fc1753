package io.pvmm.guest.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.hw.PhysicalMemory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FreePool: the page allocator's role")
class FreePoolTest {

    private static FreePool pool(long frames, long maxLow, AllocFailures failures) {
        PhysicalMemory m = new PhysicalMemory(PagingMode.TWO_LEVEL, frames);
        PageFrames pages = new PageFrames(frames);
        FreePool pool = new FreePool(m, pages, maxLow, 1, () -> 0, failures);
        for (long pfn = frames - 1; pfn >= 16; pfn--) {
            pool.addBootPage(pfn);
        }
        return pool;
    }

    @Test
    @DisplayName("pages come out lowest first at boot, and a freed page is the next one handed out")
    void lifo() {
        FreePool p = pool(64, 64, AllocFailures.NONE);
        assertThat(p.alloc(Gfp.KERNEL)).isEqualTo(16);
        long b = p.alloc(Gfp.KERNEL);
        p.free(b);
        assertThat(p.alloc(Gfp.KERNEL)).isEqualTo(b);
        assertThat(p.isFree(b)).isFalse();
    }

    @Test
    @DisplayName("kernel pages come from lowmem only; user pages prefer highmem")
    void zones() {
        FreePool p = pool(128, 64, AllocFailures.NONE);
        assertThat(p.alloc(Gfp.KERNEL)).isLessThan(64);
        assertThat(p.alloc(Gfp.HIGHUSER)).isGreaterThanOrEqualTo(64);
        for (int i = 0; i < 64; i++) {
            p.alloc(Gfp.HIGHUSER);
        }
        assertThat(p.alloc(Gfp.HIGHUSER)).as("highmem exhausted: lowmem serves").isLessThan(64);
    }

    @Test
    @DisplayName("a double free is a kernel BUG")
    void doubleFree() {
        FreePool p = pool(64, 64, AllocFailures.NONE);
        long a = p.alloc(Gfp.KERNEL);
        p.free(a);
        assertThatThrownBy(() -> p.free(a)).isInstanceOf(KernelOops.class).hasMessageContaining("double free");
    }

    @Test
    @DisplayName("the k-th allocation fails when asked to, and only that one")
    void failAt() {
        FreePool p = pool(64, 64, new AllocFailures(3, 0, 1));
        assertThat(p.alloc(Gfp.KERNEL)).isNotEqualTo(FreePool.NO_FRAME);
        assertThat(p.alloc(Gfp.KERNEL)).isNotEqualTo(FreePool.NO_FRAME);
        assertThat(p.alloc(Gfp.KERNEL)).isEqualTo(FreePool.NO_FRAME);
        assertThat(p.alloc(Gfp.KERNEL)).isNotEqualTo(FreePool.NO_FRAME);
        assertThat(p.failures().injected()).isEqualTo(1);
    }

    @Test
    @DisplayName("seeded random failures are the same for the same seed")
    void seededFailures() {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        FreePool p1 = pool(4096, 4096, new AllocFailures(0, 0.2, 42));
        FreePool p2 = pool(4096, 4096, new AllocFailures(0, 0.2, 42));
        for (int i = 0; i < 200; i++) {
            a.append(p1.alloc(Gfp.KERNEL) == FreePool.NO_FRAME ? 'x' : '.');
            b.append(p2.alloc(Gfp.KERNEL) == FreePool.NO_FRAME ? 'x' : '.');
        }
        assertThat(a.toString()).isEqualTo(b.toString()).contains("x").contains(".");
    }

    @Test
    @DisplayName("__GFP_ZERO clears stale contents; a plain allocation keeps them")
    void zeroing() {
        PhysicalMemory m = new PhysicalMemory(PagingMode.TWO_LEVEL, 64);
        FreePool p = new FreePool(m, new PageFrames(64), 64, 1, () -> 0, AllocFailures.NONE);
        p.addBootPage(20);
        long pfn = p.alloc(Gfp.KERNEL);
        m.writeEntry(pfn << 12, 0x1234_5067L);
        p.free(pfn);
        assertThat(p.alloc(Gfp.KERNEL)).isEqualTo(pfn);
        assertThat(m.readEntry(pfn << 12)).as("stale, as alloc_pages(GFP_KERNEL) leaves it").isEqualTo(0x1234_5067L);
        p.free(pfn);
        p.alloc(Gfp.KERNEL_ZERO);
        assertThat(m.readEntry(pfn << 12)).isZero();
    }

    @Test
    @DisplayName("zone_batchsize: a thousandth of the zone over 4, at most 512 KiB, clamped to 2^n - 1")
    void zoneBatchsize() {
        assertThat(FreePool.zoneBatchsize(16_384)).as("64 MiB: 16 / 4 = 4, clamped").isEqualTo(3);
        assertThat(FreePool.zoneBatchsize(61_440)).as("240 MiB: 60 / 4 = 15").isEqualTo(15);
        assertThat(FreePool.zoneBatchsize(1 << 20)).as("4 GiB: 512 KiB / 4 = 32, clamped").isEqualTo(31);
        assertThat(FreePool.zoneBatchsize(512)).as("a zone under 4 MiB").isZero();
    }

    @Test
    @DisplayName("free_hot_cold_page and buffered_rmqueue: a page freed hot heads the vCPU's list and comes back first; at high = 6 * batch the batch oldest go back to the zone")
    void perCpuHotList() {
        FreePool p = pool(16_400, 16_400, AllocFailures.NONE); // batch 3: hot high 18, cold high 6
        long a = p.alloc(Gfp.KERNEL);
        assertThat(p.perCpuPages(0)).as("rmqueue_bulk refilled batch = 3, one handed out").isEqualTo(2);
        p.free(a);
        assertThat(p.isFree(a)).as("a page on a per-CPU list is free").isTrue();
        assertThat(p.alloc(Gfp.KERNEL)).as("the hot page comes back first").isEqualTo(a);
        long[] held = new long[20];
        for (int i = 0; i < held.length; i++) {
            held[i] = p.alloc(Gfp.KERNEL);
        }
        p.free(a);
        for (int i = 0; i < 16; i++) {
            p.free(held[i]);
        }
        int before = p.perCpuPages(0);
        p.free(held[16]);
        assertThat(before + 1).as("the list reached high").isEqualTo(18);
        assertThat(p.perCpuPages(0)).as("free_pages_bulk gave the batch (3) oldest back").isEqualTo(15);
        assertThat(p.alloc(Gfp.KERNEL)).as("still last in, first out").isEqualTo(held[16]);
    }

    @Test
    @DisplayName("__GFP_COLD: a page-cache page comes from the cold list, refilled batch / 2 at a time, and leaves the hot list alone")
    void coldList() {
        FreePool p = pool(16_400, 16_400, AllocFailures.NONE); // batch 3: cold batch 1
        long hot = p.alloc(Gfp.KERNEL);
        p.free(hot);
        int hotPages = p.perCpuPages(0);
        long cold = p.alloc(Gfp.HIGHUSER_COLD);
        assertThat(cold).isNotEqualTo(hot);
        assertThat(p.perCpuPages(0)).as("one page refilled onto the cold list and handed out").isEqualTo(hotPages);
        assertThat(p.alloc(Gfp.KERNEL)).isEqualTo(hot);
    }
}
