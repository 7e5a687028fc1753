package io.pvmm.guest.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.Guests;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.mm.Vma;
import io.pvmm.guest.observe.Hook;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;
import org.mockito.Mockito;

@DisplayName("Processes: exec, fork, threads and exit as they reach the memory manager")
class ProcessesTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);
    /** 2.6.23, whose paravirt_ops have activate_mm, dup_mmap and exit_mmap to watch. */
    private static final GuestConfig V2623 = SMALL.withKernel(KernelVersion.V2_6_23);

    @Test
    @DisplayName("exec_mmap of a kernel thread (2.6.23): activate_mm from swapper to the new root, then switch_mm's write_cr3 of the new root")
    void execActivates() {
        Guests.Spied booted = Guests.spied(PagingMode.TWO_LEVEL, V2623);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        Processes p = k.processes();
        p.spawnKernelThread(1);
        Mockito.clearInvocations(spy);
        assertThat(p.exec(1, ExecImage.DEFAULT)).isEqualTo(Outcome.OK);
        long root = p.task(1).mm().pgd();
        InOrder order = Mockito.inOrder(spy);
        order.verify(spy).activateMm(k.layout().swapperPgDir(), root);
        order.verify(spy).writeCr3(root);
        order.verify(spy).allocPt(Mockito.anyLong()); // the argument pages, after activate_mm (2.6.21)
        Mockito.verify(spy, Mockito.never()).exitMmap(Mockito.anyLong());
    }

    @Test
    @DisplayName("exec_mmap of a process (2.6.23) tears the old address space down (exit_mmap) after activate_mm of the new one")
    void execReplaces() {
        Guests.Spied booted = Guests.spied(PagingMode.PAE, V2623);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        Processes p = k.processes();
        p.spawnKernelThread(1);
        p.exec(1, ExecImage.DEFAULT);
        long old = p.task(1).mm().pgd();
        Mockito.clearInvocations(spy);
        p.exec(1, ExecImage.DEFAULT);
        long fresh = p.task(1).mm().pgd();
        InOrder order = Mockito.inOrder(spy);
        order.verify(spy).activateMm(old, fresh);
        order.verify(spy).exitMmap(old);
    }

    @Test
    @DisplayName("an exited task's root is freed only when the CPU switches to another address space")
    void rootFreedOnSwitch() {
        Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL);
        Processes p = g.kernel().processes();
        p.spawnKernelThread(1);
        p.exec(1, ExecImage.DEFAULT);
        p.fork(1, 2);
        p.exit(2);
        assertThat(g.kernel().pgTable().pgdCache().activeObjects())
                .as("the child's root is torn down but still loaded on the CPU").isEqualTo(2);
        p.idle();
        assertThat(g.kernel().pgTable().pgdCache().activeObjects()).isEqualTo(1);
    }

    @Test
    @DisplayName("threads share their process's address space: no page tables on clone, teardown only when the last one exits")
    void threadsShare() {
        Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, V2623);
        Processes p = g.kernel().processes();
        p.spawnKernelThread(1);
        p.exec(1, ExecImage.DEFAULT);
        long allocPt = g.counts().count(Hook.allocPt);
        assertThat(p.cloneThread(1, 2)).isEqualTo(Outcome.OK);
        assertThat(p.task(2).mm()).isSameAs(p.task(1).mm());
        assertThat(g.counts().count(Hook.allocPt)).isEqualTo(allocPt);
        p.exit(1);
        assertThat(g.counts().count(Hook.exitMmap)).isZero();
        p.exit(2);
        assertThat(g.counts().count(Hook.exitMmap)).isEqualTo(1);
    }

    @Test
    @DisplayName("a fork that runs out of memory mid-copy (2.6.23) tears the partial child down with exit_mmap and never calls dup_mmap")
    void failedFork() {
        // allocations are numbered only while injection is on: count them with a failure that never comes
        Guests.Booted dry = Guests.boot(PagingMode.TWO_LEVEL, V2623.withFailAllocAt(Long.MAX_VALUE));
        Processes dp = dry.kernel().processes();
        dp.spawnKernelThread(1);
        dp.exec(1, ExecImage.DEFAULT);
        dp.mmap(1, 0x4000_0000L, 8L << 20, Vma.READ | Vma.WRITE, 0, 0);
        dp.touch(1, 0x4000_0000L, true);
        dp.touch(1, 0x4040_0000L, true);
        long before = dry.kernel().pool().failures().attempts();

        // the child's pgd slab page, its stack pte page, then fail the second pte page of the copy
        Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, V2623.withFailAllocAt(before + 3));
        Processes p = g.kernel().processes();
        p.spawnKernelThread(1);
        p.exec(1, ExecImage.DEFAULT);
        p.mmap(1, 0x4000_0000L, 8L << 20, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, 0x4000_0000L, true);
        p.touch(1, 0x4040_0000L, true);
        long allocPtBeforeFork = g.counts().count(Hook.allocPt);
        assertThat(p.fork(1, 2)).isEqualTo(Outcome.ENOMEM);
        assertThat(p.task(2)).isNull();
        assertThat(g.counts().count(Hook.dupMmap)).isZero();
        assertThat(g.counts().count(Hook.exitMmap)).isEqualTo(1);
        assertThat(g.counts().count(Hook.allocPt) - allocPtBeforeFork).as("allocations after the fork began: the pgd's slab page, the copy's first pte page, then the failed second")
                .isEqualTo(1);
        assertThat(g.counts().count(Hook.releasePt)).as("the partial child's pte pages are released, each it announced")
                .isEqualTo(g.counts().count(Hook.allocPt) - allocPtBeforeFork);
        p.exit(1);
        p.idle();
        g.kernel().pgTable().shrinkCaches();
        assertThat(g.kernel().pool().freePages()).isEqualTo(g.kernel().bootFreePages());
    }

    @Test
    @DisplayName("fork copies the heap's end: the child's brk grows its own heap where the parent's ends")
    void forkCopiesBrk() {
        GuestKernel k = Guests.boot(PagingMode.TWO_LEVEL, SMALL).kernel();
        Processes p = k.processes();
        p.spawnKernelThread(1);
        p.exec(1, ExecImage.DEFAULT);
        long end = p.task(1).mm().brk();
        p.fork(1, 2);
        assertThat(p.task(2).mm().brk()).isEqualTo(end);
        assertThat(p.brk(2, end + 8192)).isEqualTo(Outcome.OK);
        assertThat(p.touch(2, end + 4096, true)).isEqualTo(Outcome.OK);
    }

    @Test
    @DisplayName("exec ends the other threads of its own thread group only; another task sharing the mm keeps it")
    void execEndsOwnThreadsOnly() {
        GuestKernel k = Guests.boot(PagingMode.TWO_LEVEL, SMALL).kernel();
        Processes p = k.processes();
        p.spawnKernelThread(1);
        p.exec(1, ExecImage.DEFAULT);
        p.cloneThread(1, 2);
        p.exec(1, ExecImage.DEFAULT);
        assertThat(p.task(2)).as("its thread ends").isNull();

        p.spawnKernelThread(10);
        p.exec(10, ExecImage.DEFAULT);
        p.cloneThread(10, 11);
        p.exec(11, ExecImage.DEFAULT);
        assertThat(p.task(10)).as("the thread group's leader ends too").isNull();
    }
}
