package io.pvmm.guest.arch;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.Guests;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.PhysicalMemory;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.mm.Vma;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.InOrder;
import org.mockito.Mockito;

/**
 * The hooks each kernel's {@code paravirt_ops} has, at the places each kernel calls them: 2.6.21 has
 * no {@code activate_mm}, {@code dup_mmap}, {@code exit_mmap}, {@code pagetable_setup_start} or
 * {@code pagetable_setup_done}; 2.6.23 calls them in {@code activate_mm}, {@code dup_mmap},
 * {@code exit_mmap} and {@code pagetable_init}.
 */
@DisplayName("paravirt_ops as 2.6.21 and 2.6.23 have them")
class KernelVersionHooksTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);
    private static final long HEAP = 0x4000_0000L;

    /** Boots, execs pid 1, maps and touches a heap, forks pid 2, execs it, and exits both. */
    private static void lifeCycle(GuestKernel k) {
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 20, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        assertThat(p.fork(1, 2)).isEqualTo(Outcome.OK);
        assertThat(p.exec(2, ExecImage.DEFAULT)).isEqualTo(Outcome.OK);
        p.exit(2);
        p.exit(1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("2.6.21: pagetable_init, exec_mmap's activate_mm, dup_mmap and exit_mmap call no pagetable_setup_start/done, "
            + "activate_mm, dup_mmap or exit_mmap hook; switch_mm's write_cr3 still loads each new root")
    void twoSixTwentyOneHasNone(PagingMode mode) {
        Guests.Spied s = Guests.spied(mode, SMALL.withKernel(KernelVersion.V2_6_21));
        GuestKernel k = s.kernel();
        ParavirtOps spy = s.spy();
        lifeCycle(k);

        Mockito.verify(spy, Mockito.never()).pagetableSetupStart(Mockito.anyLong());
        Mockito.verify(spy, Mockito.never()).pagetableSetupDone(Mockito.anyLong());
        Mockito.verify(spy, Mockito.never()).activateMm(Mockito.anyLong(), Mockito.anyLong());
        Mockito.verify(spy, Mockito.never()).dupMmap(Mockito.anyLong(), Mockito.anyLong());
        Mockito.verify(spy, Mockito.never()).exitMmap(Mockito.anyLong());
        Mockito.verify(spy, Mockito.atLeast(3)).writeCr3(Mockito.anyLong());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("2.6.23: pagetable_init calls pagetable_setup_start before the first announcement and pagetable_setup_done "
            + "after the last, before paging_init's load_cr3(swapper_pg_dir)")
    void twoSixTwentyThreeBootHooks(PagingMode mode) {
        Guests.Spied s = Guests.spied(mode, SMALL.withKernel(KernelVersion.V2_6_23));
        long swapper = s.kernel().layout().swapperPgDir();
        ParavirtOps spy = s.spy();
        InOrder order = Mockito.inOrder(spy);
        order.verify(spy).pagetableSetupStart(swapper);
        if (mode == PagingMode.TWO_LEVEL) {
            order.verify(spy).allocPd(swapper >>> PagingMode.PAGE_SHIFT); // native_pagetable_setup_start
        } else {
            order.verify(spy, Mockito.calls(mode.userPtrsPerPgd())).setPgd(Mockito.anyLong(), Mockito.anyLong());
        }
        order.verify(spy, Mockito.atLeastOnce()).allocPt(Mockito.anyLong());
        order.verify(spy).pagetableSetupDone(swapper);
        order.verify(spy).writeCr3(swapper);
        Mockito.verify(spy, Mockito.times(1)).pagetableSetupStart(Mockito.anyLong());
        Mockito.verify(spy, Mockito.times(1)).pagetableSetupDone(Mockito.anyLong());
    }

    @Test
    @DisplayName("PAE boot: 2.6.21's pagetable_init points all four root entries at the zero page, "
            + "2.6.23's native_pagetable_setup_start only the three user ones")
    void paeZeroPageEntries() {
        ParavirtOps old = Guests.spied(PagingMode.PAE, SMALL.withKernel(KernelVersion.V2_6_21)).spy();
        ParavirtOps neu = Guests.spied(PagingMode.PAE, SMALL.withKernel(KernelVersion.V2_6_23)).spy();
        // and one more set_pgd each for one_md_table_init's kernel pmd
        Mockito.verify(old, Mockito.times(4 + 1)).setPgd(Mockito.anyLong(), Mockito.anyLong());
        Mockito.verify(neu, Mockito.times(3 + 1)).setPgd(Mockito.anyLong(), Mockito.anyLong());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("2.6.23: activate_mm's paravirt_activate_mm before switch_mm's write_cr3; dup_mmap's arch_dup_mmap after "
            + "copy_page_range and before flush_tlb_mm(oldmm); exit_mmap's arch_exit_mmap before the first pte page is released")
    void twoSixTwentyThreeAddressSpaceHooks(PagingMode mode) {
        Guests.Spied s = Guests.spied(mode, SMALL.withKernel(KernelVersion.V2_6_23));
        GuestKernel k = s.kernel();
        ParavirtOps spy = s.spy();
        Processes p = k.processes();
        p.spawnKernelThread(1);
        Mockito.clearInvocations(spy);
        assertThat(p.exec(1, ExecImage.DEFAULT)).isEqualTo(Outcome.OK);
        long root = p.task(1).mm().pgd();
        InOrder exec = Mockito.inOrder(spy);
        exec.verify(spy).activateMm(k.layout().swapperPgDir(), root);
        exec.verify(spy).writeCr3(root);

        p.mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        Mockito.clearInvocations(spy);
        assertThat(p.fork(1, 2)).isEqualTo(Outcome.OK);
        long child = p.task(2).mm().pgd();
        InOrder fork = Mockito.inOrder(spy);
        fork.verify(spy).leaveLazyMmu(); // the last copy_pte_range
        fork.verify(spy).dupMmap(root, child);
        fork.verify(spy).flushTlbUser(); // flush_tlb_mm(oldmm)

        Mockito.clearInvocations(spy);
        p.exit(2);
        InOrder exit = Mockito.inOrder(spy);
        exit.verify(spy).exitMmap(child);
        exit.verify(spy).releasePt(Mockito.anyLong());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(KernelVersion.class)
    @DisplayName("pgtable-2level.h: pte_clear is set_pte_at(mm, addr, xp, 0), pmd_clear set_pmd(xp, 0) and set_pte_atomic set_pte; "
            + "with PAE each is paravirt_ops' own member")
    void clearsByPagingMode(KernelVersion kernel) {
        for (PagingMode mode : PagingMode.values()) {
            PhysicalMemory mem = new PhysicalMemory(mode, 64);
            ParavirtOps ops = Mockito.mock(ParavirtOps.class);
            Paravirt pv = new Paravirt(ops, mem, new io.pvmm.guest.hw.Tlbs(1, io.pvmm.guest.hw.TlbGeometry.CORE2, mode, false, () -> 0),
                    kernel);
            pv.pteClear(0x1000, HEAP, 0x2008);
            pv.pmdClear(0x3010);
            pv.setPteAtomic(0x2010, 0x5063);
            if (mode == PagingMode.TWO_LEVEL) {
                Mockito.verify(ops).setPteAt(0x1000, HEAP, 0x2008, 0);
                Mockito.verify(ops).setPmd(0x3010, 0);
                Mockito.verify(ops).setPte(0x2010, 0x5063);
                Mockito.verify(ops, Mockito.never()).pteClear(Mockito.anyLong(), Mockito.anyLong(), Mockito.anyLong());
                Mockito.verify(ops, Mockito.never()).pmdClear(Mockito.anyLong());
                Mockito.verify(ops, Mockito.never()).setPteAtomic(Mockito.anyLong(), Mockito.anyLong());
            } else {
                Mockito.verify(ops).pteClear(0x1000, HEAP, 0x2008);
                Mockito.verify(ops).pmdClear(0x3010);
                Mockito.verify(ops).setPteAtomic(0x2010, 0x5063);
                Mockito.verifyNoMoreInteractions(ops);
            }
        }
    }
}
