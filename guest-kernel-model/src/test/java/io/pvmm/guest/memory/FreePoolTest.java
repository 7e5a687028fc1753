package io.pvmm.guest.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.PagingMode;
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
}
