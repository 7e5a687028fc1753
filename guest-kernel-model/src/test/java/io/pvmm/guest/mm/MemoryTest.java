package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.Guests;
import io.pvmm.guest.arch.KernelLayout;
import io.pvmm.guest.arch.Mmu;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.observe.Hook;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.mockito.Mockito;

@DisplayName("memory.c: faults, fork's copy and the teardown of user page tables")
class MemoryTest {

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

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a fault in a populated pmd reads the pmd entry once, and in PAE the root entry once")
    void faultReadsUpperEntriesOnce(PagingMode mode) {
        Guests.Spied booted = Guests.spied(mode, SMALL);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 20, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP + 0x8000, true);
        long pgd = p.task(1).mm().pgd();
        long pgdEntryPa = k.tables().pgdOffset(pgd, HEAP);
        long pmdPa = k.tables().pmdEntryFor(pgd, HEAP);
        long rawPgd = k.physicalMemory().readEntry(pgdEntryPa);
        long rawPmd = k.physicalMemory().readEntry(pmdPa);
        Mockito.clearInvocations(spy);

        assertThat(p.touch(1, HEAP, true)).isEqualTo(Outcome.OK);

        // three reads each: the MMU's walk that faults, the fault handler's one, the MMU's walk of the
        // restarted access (the walker reads entries through pte_val, as it must for machine frames)
        Mockito.verify(spy, Mockito.times(3)).entryValue(rawPmd);
        if (mode == PagingMode.PAE) {
            Mockito.verify(spy, Mockito.times(3)).entryValue(rawPgd);
        }
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
        Memory memory = memoryOf(k);
        assertThat(memory.pteInstall(mm, pmdPa, loser)).isFalse();
        assertThat(g.counts().count(Hook.allocPt)).isEqualTo(allocPt);
        assertThat(g.counts().count(Hook.releasePt)).isZero();
        assertThat(k.pool().isFree(loser)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("exit tears down in order: exitMmap, then pmd_clear and release_pt per pte page; the page is free only after the gather's flush")
    void teardownOrder(PagingMode mode) {
        ParavirtOps[] spy = new ParavirtOps[1];
        GuestKernel[] k = new GuestKernel[1];
        k[0] = Guests.boot(mode, SMALL, PlatformRequirements.NONE, o -> spy[0] = Mockito.spy(o)).kernel();
        Processes p = Guests.startInit(k[0]);
        p.mmap(1, HEAP, 1 << 20, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        long pgd = p.task(1).mm().pgd();
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
        order.verify(spy[0]).pmdClear(Mockito.anyLong());
        order.verify(spy[0]).releasePt(Mockito.anyLong());
        order.verify(spy[0]).flushTlbUser();
        assertThat(released).as("the 1 MiB heap's pte page is released").isNotEmpty();
        assertThat(freeAtRelease).as("pte pages already free when release_pt was called for them").isEmpty();
        Mockito.verify(spy[0], Mockito.never()).pteUpdate(Mockito.anyLong(), Mockito.anyLong(), Mockito.anyLong());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("fork copies a private writable page's pte write-protected on both sides; the child's first write copies the page")
    void copyOnWrite(PagingMode mode) {
        Guests.Spied booted = Guests.spied(mode, SMALL);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        Mmu mmu = k.mmu();
        long parentRoot = p.task(1).mm().pgd();
        long page = mmu.translate(parentRoot, HEAP).pfn();
        assertThat(mmu.translate(parentRoot, HEAP).writable()).isTrue();

        Mockito.clearInvocations(spy);
        assertThat(p.fork(1, 2)).isEqualTo(Outcome.OK);
        long childRoot = p.task(2).mm().pgd();
        assertThat(mmu.translate(parentRoot, HEAP).writable()).as("parent write-protected in place").isFalse();
        assertThat(mmu.translate(childRoot, HEAP).writable()).isFalse();
        assertThat(mmu.translate(childRoot, HEAP).pfn()).isEqualTo(page);
        Mockito.verify(spy).pteUpdate(Mockito.eq(parentRoot), Mockito.eq(HEAP), Mockito.anyLong());
        InOrder order = Mockito.inOrder(spy);
        order.verify(spy).enterLazyMmu();
        order.verify(spy).leaveLazyMmu();
        order.verify(spy).dupMmap(parentRoot, childRoot);

        assertThat(p.touch(2, HEAP, true)).isEqualTo(Outcome.OK);
        assertThat(mmu.translate(childRoot, HEAP).pfn()).isNotEqualTo(page);
        assertThat(mmu.translate(childRoot, HEAP).writable()).isTrue();
        assertThat(mmu.translate(parentRoot, HEAP).pfn()).isEqualTo(page);
        assertThat(p.touch(1, HEAP, true)).as("the parent, now the only user, reuses its page").isEqualTo(Outcome.OK);
        assertThat(mmu.translate(parentRoot, HEAP).pfn()).isEqualTo(page);
        assertThat(mmu.translate(parentRoot, HEAP).writable()).isTrue();
    }

    @Test
    @DisplayName("a read of untouched anonymous memory maps the shared zero page read-only; a write then copies it")
    void zeroPage() {
        GuestKernel k = Guests.boot(PagingMode.PAE, SMALL).kernel();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, false);
        Mmu mmu = k.mmu();
        long root = p.task(1).mm().pgd();
        assertThat(mmu.translate(root, HEAP).pfn()).isEqualTo(KernelLayout.EMPTY_ZERO_PAGE >>> 12);
        assertThat(mmu.allows(root, HEAP, Mmu.Access.USER_WRITE)).isFalse();
        assertThat(mmu.translate(root, HEAP).executable()).as("NX on a non-exec mapping in PAE").isFalse();
        p.touch(1, HEAP, true);
        assertThat(mmu.translate(root, HEAP).pfn()).isNotEqualTo(KernelLayout.EMPTY_ZERO_PAGE >>> 12);
        assertThat(mmu.allows(root, HEAP, Mmu.Access.USER_WRITE)).isTrue();
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

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("mprotect read-only makes the pages read-only through ptep_get_and_clear and set_pte_at, in lazy MMU mode")
    void mprotect(PagingMode mode) {
        Guests.Spied booted = Guests.spied(mode, SMALL);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        long root = p.task(1).mm().pgd();
        Mockito.clearInvocations(spy);
        assertThat(p.mprotect(1, HEAP, 1 << 16, Vma.READ)).isEqualTo(Outcome.OK);
        assertThat(k.mmu().allows(root, HEAP, Mmu.Access.USER_WRITE)).isFalse();
        assertThat(k.mmu().allows(root, HEAP, Mmu.Access.USER_READ)).isTrue();
        InOrder order = Mockito.inOrder(spy);
        order.verify(spy).enterLazyMmu();
        order.verify(spy).pteUpdate(Mockito.eq(root), Mockito.eq(HEAP), Mockito.anyLong());
        order.verify(spy).setPteAt(Mockito.eq(root), Mockito.eq(HEAP), Mockito.anyLong(), Mockito.anyLong());
        order.verify(spy).leaveLazyMmu();
        assertThat(p.touch(1, HEAP, true)).as("a write now has no vma permission").isEqualTo(Outcome.EFAULT);
        assertThat(p.task(1)).as("SIGSEGV killed the task").isNull();
    }

    private static Memory memoryOf(GuestKernel k) {
        try {
            java.lang.reflect.Method m = GuestKernel.class.getDeclaredMethod("memory");
            m.setAccessible(true);
            return (Memory) m.invoke(k);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
