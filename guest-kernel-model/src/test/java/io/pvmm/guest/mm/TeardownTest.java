package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.Guests;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.observe.Hook;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.InOrder;
import org.mockito.Mockito;

@DisplayName("memory.c: the teardown of user page tables, unmap_vmas and free_pgtables")
class TeardownTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);
    private static final long HEAP = 0x4000_0000L;

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("exit_mmap (2.6.23) tears down in order: arch_exit_mmap, then free_pte_range's pmd_clear and release_pt per pte "
            + "page; the page is free only after the gather's flush")
    void teardownOrder(PagingMode mode) {
        ParavirtOps[] spy = new ParavirtOps[1];
        GuestKernel[] k = new GuestKernel[1];
        k[0] = Guests.boot(mode, SMALL.withKernel(KernelVersion.V2_6_23), PlatformRequirements.NONE, o -> spy[0] = Mockito.spy(o)).kernel();
        Processes p = Guests.startInit(k[0]);
        p.mmap(1, HEAP, 1 << 20, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        long pgd = p.task(1).mm().pgd();
        Set<Long> ptePages = Guests.userPtePages(k[0], pgd);
        long heapPtePage = mode.entryPfn(k[0].tables().read(k[0].tables().pmdEntryFor(pgd, HEAP)));
        List<Long> released = new ArrayList<>();
        List<Long> freeAtRelease = new ArrayList<>();
        Mockito.doAnswer(inv -> {
            long pfn = inv.getArgument(0);
            released.add(pfn);
            if (k[0].pool().isFree(pfn)) {
                freeAtRelease.add(pfn);
            }
            return inv.callRealMethod();
        }).when(spy[0]).releasePt(Mockito.anyLong());
        Mockito.clearInvocations(spy[0]);
        p.exit(1);
        InOrder order = Mockito.inOrder(spy[0]);
        order.verify(spy[0]).exitMmap(pgd);
        if (mode == PagingMode.PAE) {
            order.verify(spy[0]).pmdClear(Mockito.anyLong());
        } else {
            order.verify(spy[0]).setPmd(Mockito.anyLong(), Mockito.eq(0L)); // pgtable-2level.h: pmd_clear is set_pmd(xp, 0)
        }
        order.verify(spy[0]).releasePt(Mockito.anyLong());
        order.verify(spy[0]).flushTlbUser();
        assertThat(ptePages).as("the pte pages the user half linked before exit").contains(heapPtePage);
        assertThat(released).as("every pte page the user half linked is released, once, the 1 MiB heap's among them")
                .containsExactlyInAnyOrderElementsOf(ptePages);
        assertThat(freeAtRelease).as("pte pages already free when release_pt was called for them").isEmpty();
        Mockito.verify(spy[0], Mockito.never()).pteUpdate(Mockito.anyLong(), Mockito.anyLong(), Mockito.anyLong());
    }

    @Test
    @DisplayName("2-level 2.6.21 free_pte_range clears each pmd with set_pmd(pmd, 0) before its release_pt, as pgtable-2level.h's "
            + "pmd_clear does; pmd_clear, pte_clear and set_pte_atomic, PAE-only in paravirt_ops, are never called")
    void twoLevelClearsWithSetPmd() {
        ParavirtOps[] spy = new ParavirtOps[1];
        GuestKernel k = Guests.boot(PagingMode.TWO_LEVEL, SMALL.withKernel(KernelVersion.V2_6_21), PlatformRequirements.NONE,
                o -> spy[0] = Mockito.spy(o)).kernel();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 20, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        long pgd = p.task(1).mm().pgd();
        long heapPmd = k.tables().pmdEntryFor(pgd, HEAP);
        long heapPtePage = PagingMode.TWO_LEVEL.entryPfn(k.tables().read(heapPmd));
        Mockito.clearInvocations(spy[0]);
        p.exit(1);

        InOrder order = Mockito.inOrder(spy[0]);
        order.verify(spy[0]).setPmd(heapPmd, 0L);
        order.verify(spy[0]).releasePt(heapPtePage);
        Mockito.verify(spy[0], Mockito.never()).pmdClear(Mockito.anyLong());
        Mockito.verify(spy[0], Mockito.never()).pteClear(Mockito.anyLong(), Mockito.anyLong(), Mockito.anyLong());
        Mockito.verify(spy[0], Mockito.never()).setPteAtomic(Mockito.anyLong(), Mockito.anyLong());
        Mockito.verify(spy[0], Mockito.never()).exitMmap(Mockito.anyLong());
        assertThat(k.tables().read(heapPmd)).isZero();
    }

    @Test
    @DisplayName("munmap frees a pte page only when no vma is left in its whole PMD span")
    void munmapFloorCeiling() {
        Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL);
        Processes p = Guests.startInit(g.kernel());
        long pmd = 4L << 20;
        p.mmap(1, HEAP, 8192, Vma.READ | Vma.WRITE, 0, 0);
        p.mmap(1, HEAP + 2 * pmd, 8192, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        p.touch(1, HEAP + 4096, true);
        p.touch(1, HEAP + 2 * pmd, true);
        long released = g.counts().count(Hook.releasePt);
        assertThat(p.munmap(1, HEAP, 4096)).isEqualTo(Outcome.OK);
        assertThat(g.counts().count(Hook.releasePt)).as("the other page of the vma keeps the pte page").isEqualTo(released);
        assertThat(p.munmap(1, HEAP + 4096, 4096)).isEqualTo(Outcome.OK);
        assertThat(g.counts().count(Hook.releasePt)).isEqualTo(released + 1);
        assertThat(p.task(1).mm().nrPtes().get()).as("the stack's and the far mapping's pte pages").isEqualTo(2);
    }
}
