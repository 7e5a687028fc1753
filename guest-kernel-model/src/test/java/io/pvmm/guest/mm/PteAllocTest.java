package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.Guests;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.observe.Hook;
import io.pvmm.guest.memory.PageFrames;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.mockito.Mockito;

@DisplayName("memory.c: __pte_alloc links a pte page on demand, or frees the one that lost the race")
class PteAllocTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);
    private static final long HEAP = 0x4000_0000L;

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a fault in an empty pmd: pmd_populate announces the pte page with alloc_pt strictly before the set_pmd that links it")
    void pmdPopulateOrder(PagingMode mode) {
        Guests.Spied booted = Guests.spied(mode, SMALL);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 20, Vma.READ | Vma.WRITE, 0, 0);
        Mockito.clearInvocations(spy);
        assertThat(p.touch(1, HEAP, true)).isEqualTo(Outcome.OK);
        ArgumentCaptor<Long> pfn = ArgumentCaptor.forClass(Long.class);
        Mockito.verify(spy).allocPt(pfn.capture());
        InOrder order = Mockito.inOrder(spy);
        order.verify(spy).allocPt(pfn.getValue());
        order.verify(spy).setPmd(Mockito.anyLong(), Mockito.eq((pfn.getValue() << 12) | EntryBits.PAGE_TABLE));
        order.verify(spy).setPteAt(Mockito.eq(p.task(1).mm().pgd()), Mockito.eq(HEAP), Mockito.anyLong(), Mockito.anyLong());
    }

    @Test
    @DisplayName("a pte page that loses the __pte_alloc race is freed with pte_free: no hook, straight back to the pool")
    void raceLoser() {
        Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL);
        GuestKernel k = g.kernel();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 20, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        MmStruct mm = p.task(1).mm();
        long pmdPa = k.tables().pmdEntryFor(mm.pgd(), HEAP);
        long loser = k.pgTable().pteAllocOne();
        long allocPt = g.counts().count(Hook.allocPt);
        PteAlloc pteAlloc = pteAllocOf(k);
        assertThat(pteAlloc.pteInstall(mm, pmdPa, loser)).isFalse();
        assertThat(g.counts().count(Hook.allocPt)).isEqualTo(allocPt);
        assertThat(g.counts().count(Hook.releasePt)).isZero();
        assertThat(k.pool().isFree(loser)).isTrue();
        assertThat(k.pages().test(loser, PageFrames.PAGETABLE)).as("pte_free clears PageTable").isFalse();
    }

    @Test
    @DisplayName("__pte_alloc_kernel: pmd_populate_kernel announces the pte page with alloc_pt before its set_pmd; a pmd found populated gets nothing, the page goes back with pte_free_kernel")
    void kernelPteAlloc() {
        Guests.Spied booted = Guests.spied(PagingMode.TWO_LEVEL, SMALL);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        long address = k.layout().vmallocStart() + (64L << 20); // no vmalloc area there: an empty kernel pmd
        long pmdPa = k.tables().pmdEntryFor(k.layout().swapperPgDir(), address);
        assertThat(EntryBits.isPresent(k.tables().read(pmdPa))).isFalse();
        PteAlloc pteAlloc = pteAllocOf(k);
        long kernelPtePages = pteAlloc.kernelPtePages();
        Mockito.clearInvocations(spy);

        assertThat(pteAlloc.pteAllocKernel(pmdPa)).isZero();
        ArgumentCaptor<Long> pfn = ArgumentCaptor.forClass(Long.class);
        Mockito.verify(spy).allocPt(pfn.capture());
        InOrder order = Mockito.inOrder(spy);
        order.verify(spy).allocPt(pfn.getValue());
        order.verify(spy).setPmd(pmdPa, (pfn.getValue() << 12) | EntryBits.PAGE_TABLE);
        assertThat(pteAlloc.kernelPtePages()).isEqualTo(kernelPtePages + 1);

        long free = k.pool().freePages();
        long pageTables = k.pages().countWith(PageFrames.PAGETABLE);
        Mockito.clearInvocations(spy);
        assertThat(pteAlloc.pteAllocKernel(pmdPa)).isZero();
        Mockito.verify(spy, Mockito.never()).allocPt(Mockito.anyLong());
        Mockito.verify(spy, Mockito.never()).setPmd(Mockito.anyLong(), Mockito.anyLong());
        assertThat(k.pool().freePages()).as("the page allocated for nothing is back").isEqualTo(free);
        assertThat(k.pages().countWith(PageFrames.PAGETABLE)).as("and no longer PageTable").isEqualTo(pageTables);
        assertThat(k.pages().test(pfn.getValue(), PageFrames.PAGETABLE)).as("the linked one still is").isTrue();
        assertThat(pteAlloc.kernelPtePages()).isEqualTo(kernelPtePages + 1);
    }

    private static PteAlloc pteAllocOf(GuestKernel k) {
        try {
            java.lang.reflect.Method m = GuestKernel.class.getDeclaredMethod("pteAlloc");
            m.setAccessible(true);
            return (PteAlloc) m.invoke(k);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
