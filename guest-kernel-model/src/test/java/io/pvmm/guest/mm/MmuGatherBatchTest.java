package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.arch.Paravirt;
import io.pvmm.guest.arch.Smp;
import io.pvmm.guest.hw.Apic;
import io.pvmm.guest.hw.PhysicalMemory;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.memory.AllocFailures;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.Gfp;
import io.pvmm.guest.memory.PageFrames;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

/** mmu_gather's batch: fast mode on one vCPU, pages held until the flush on several, a flush every FREE_PTE_NR pages. */
class MmuGatherBatchTest {

    private static final int FRAMES = 1024;

    private final PhysicalMemory memory = new PhysicalMemory(PagingMode.TWO_LEVEL, FRAMES);
    private final PageFrames pages = new PageFrames(FRAMES);
    private final FreePool pool = new FreePool(memory, pages, FRAMES, 2, VcpuThread::currentId, AllocFailures.NONE);
    private final Paravirt pv = new Paravirt(Mockito.mock(ParavirtOps.class), memory);
    private final MmStruct mm = new MmStruct(0x1000);

    MmuGatherBatchTest() {
        for (long pfn = 8; pfn < FRAMES; pfn++) {
            pool.addBootPage(pfn);
        }
    }

    /** A page mapped once, as a zap finds it. */
    private long mapped() {
        long page = pool.alloc(Gfp.HIGHUSER);
        pages.get(page);
        return page;
    }

    @Test
    @DisplayName("one vCPU: fast mode, each page freed as it is removed; several: held until the flush, and again after a restart")
    void fastModeOnOneVcpu() {
        MmuGather one = gather(new Cpus(1), mm, false);
        assertThat(one.fastMode()).isTrue();
        assertThat(one.fullmm()).isFalse();
        long page = mapped();
        one.removePage(page);
        assertThat(pool.isFree(page)).as("fast mode frees at once").isTrue();

        MmuGather two = gather(new Cpus(2), mm, true);
        assertThat(two.fastMode()).isFalse();
        assertThat(two.fullmm()).isTrue();
        long held = mapped();
        two.removePage(held);
        assertThat(pool.isFree(held)).as("another CPU may still use it until the flush").isFalse();
        two.flushMmu();
        assertThat(pool.isFree(held)).isTrue();
        two.restart();
        assertThat(two.fastMode()).isFalse();
        long again = mapped();
        two.removePage(again);
        assertThat(pool.isFree(again)).isFalse();
        two.flushMmu();
        assertThat(pool.isFree(again)).isTrue();
    }

    @Test
    @DisplayName("a pte page leaves the gather free and no longer marked PageTable")
    void tablePages() {
        MmuGather g = gather(new Cpus(2), mm, false);
        long table = pool.alloc(Gfp.KERNEL);
        pages.set(table, PageFrames.PAGETABLE);
        g.removePageTable(table);
        assertThat(pages.test(table, PageFrames.PAGETABLE)).as("still gathered").isTrue();
        g.flushMmu();
        assertThat(pool.isFree(table)).isTrue();
        assertThat(pages.test(table, PageFrames.PAGETABLE)).isFalse();
    }

    @Test
    @DisplayName("the batch grows past its first 16 pages and flushes by itself at FREE_PTE_NR (506), the 507th waiting for the next flush")
    void batchGrowsAndFlushesItself() {
        MmuGather g = gather(new Cpus(2), mm, false);
        List<Long> gathered = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            long page = mapped();
            gathered.add(page);
            g.removePage(page);
        }
        assertThat(gathered).noneMatch(pool::isFree);
        for (int i = 100; i < MmuGather.FREE_PTE_NR; i++) {
            long page = mapped();
            gathered.add(page);
            g.removePage(page);
        }
        assertThat(gathered).hasSize(MmuGather.FREE_PTE_NR).allMatch(pool::isFree);
        long next = mapped();
        g.removePage(next);
        assertThat(pool.isFree(next)).isFalse();
        g.flushMmu();
        assertThat(pool.isFree(next)).isTrue();
    }

    @Test
    @DisplayName("tlb_flush_mmu flushes only when something was unmapped: an empty gather flushes nothing, a cleared pte alone (tlb_remove_tlb_entry) one flush_tlb_user, and only once")
    void flushOnlyWhatWasUnmapped() {
        ParavirtOps ops = Mockito.mock(ParavirtOps.class);
        Cpus cpus = new Cpus(2);
        cpus.current().setActiveMm(mm);
        MmuGather g = new MmuGather(new Smp(new Paravirt(ops, memory), cpus, new Apic(2, VcpuThread::currentId), 0, true), pool, pages, cpus,
                mm, false);
        g.finish();
        Mockito.verify(ops, Mockito.never()).flushTlbUser();
        g.noteUnmapped();
        g.flushMmu();
        Mockito.verify(ops, Mockito.times(1)).flushTlbUser();
        g.finish();
        Mockito.verify(ops, Mockito.times(1)).flushTlbUser();
        long page = mapped();
        g.removePage(page);
        g.finish();
        Mockito.verify(ops, Mockito.times(2)).flushTlbUser();
        assertThat(pool.isFree(page)).isTrue();
    }

    @Test
    @DisplayName("free_page_and_swap_cache drops one reference: a page mapped elsewhere too stays allocated, a reserved page (the zero page) is never freed nor its count touched")
    void sharedAndReservedPagesStay() {
        MmuGather g = gather(new Cpus(2), mm, false);
        long shared = mapped();
        pages.get(shared); // mapped by another address space as well
        long zero = 3; // below the boot pages: a frame the allocator never hands out
        pages.set(zero, PageFrames.RESERVED);
        pages.get(zero);
        g.removePage(shared);
        g.removePage(zero);
        g.finish();
        assertThat(pages.count(shared)).isEqualTo(1);
        assertThat(pool.isFree(shared)).isFalse();
        assertThat(pages.count(zero)).isEqualTo(1);
        assertThat(pool.isFree(zero)).isFalse();
        MmuGather fast = gather(new Cpus(1), mm, false);
        fast.removePage(shared);
        assertThat(pages.count(shared)).isZero();
        assertThat(pool.isFree(shared)).as("its last reference gone").isTrue();
    }

    /** {@code tlb_gather_mmu} on these CPUs, its flush {@code flush_tlb_mm} of an SMP build when there are several. */
    private MmuGather gather(Cpus on, MmStruct target, boolean fullmm) {
        return new MmuGather(new Smp(pv, on, new Apic(on.count(), VcpuThread::currentId), 0, true), pool, pages, on, target, fullmm);
    }
}
