package io.pvmm.guest.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.Guests;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.mm.Mmap;
import io.pvmm.guest.mm.Vma;
import io.pvmm.guest.observe.CountingOps;
import io.pvmm.guest.observe.Hook;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("signal.c and fault.c's bad_area: a store to a read-only mapping, SIGSEGV, the frame on the user stack, sigreturn")
class SignalsTest {

    private static final long PAGE = 4096;
    private static final long RO = 0x6000_0000L;

    private record Guest(GuestKernel kernel, CountingOps counts, Processes p) {
    }

    /** A process with a read-only shared page of a file mapped, never read. */
    private static Guest guest(PagingMode mode) {
        Guests.Booted b = Guests.boot(mode, GuestConfig.DEFAULTS.withMemoryMib(32));
        Processes p = b.kernel().processes();
        p.spawnKernelThread(1);
        assertThat(p.exec(1, ExecImage.DEFAULT)).isEqualTo(Outcome.OK);
        assertThat(p.mmap(1, RO, PAGE, Vma.READ | Vma.SHARED, 21, 0)).isEqualTo(RO);
        return new Guest(b.kernel(), b.counts(), p);
    }

    @Test
    @DisplayName("get_sigframe: 732 bytes below the stack pointer, aligned so that ((sp + 4) & 15) == 0")
    void getSigframe() {
        long frame = Signals.getSigframe(Signals.USER_ESP);
        assertThat((frame + 4) & 15).isZero();
        assertThat(frame).isLessThanOrEqualTo(Signals.USER_ESP - Signals.SIGFRAME_BYTES).isGreaterThan(Signals.USER_ESP - Signals.SIGFRAME_BYTES - 16);
        assertThat(frame & ~(PAGE - 1)).as("in the stack's top page").isEqualTo(Mmap.TASK_SIZE - PAGE);
        assertThat(Signals.getSigframe(0x1000_0800L)).isEqualTo(0x1000_051CL);
    }

    @Test
    @DisplayName("without a handler, SIGSEGV's default action kills the task (bad_area, then do_signal)")
    void defaultActionKills() {
        Guest g = guest(PagingMode.TWO_LEVEL);
        assertThat(g.p().touch(1, RO, true)).isEqualTo(Outcome.EFAULT);
        assertThat(g.p().task(1)).isNull();
        assertThat(g.p().killedTasks()).containsExactly(1);
        assertThat(g.kernel().signals().delivered()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("with a handler: the store is refused without a pte, the frame is written in the stack's top page, sigreturn returns, and the restarted store faults again")
    void handlerAndSigreturn(PagingMode mode) {
        Guest g = guest(mode);
        assertThat(g.p().sigaction(1)).isEqualTo(Outcome.OK);
        Map<Hook, Long> before = g.counts().counts();
        long faults = tlbFaults(g);
        assertThat(g.p().touch(1, RO, true)).as("the task is in its handler").isEqualTo(Outcome.OK);
        Task t = g.p().task(1);
        assertThat(t.sigframe()).isEqualTo(Signals.getSigframe(Signals.USER_ESP));
        assertThat(g.kernel().signals().delivered()).isEqualTo(1);
        assertThat(g.kernel().mmu().translate(t.mm().pgd(), RO)).as("bad_area made no pte").isNull();
        assertThat(tlbFaults(g) - faults).as("the store's fault alone: the frame's page is mapped and dirty").isEqualTo(1);
        assertThat(g.p().sigreturn(1)).isEqualTo(Outcome.OK);
        assertThat(t.sigframe()).isEqualTo(Signals.NO_FRAME);
        assertThat(g.kernel().signals().sigreturns()).isEqualTo(1);
        assertThat(g.p().touch(1, RO, true)).isEqualTo(Outcome.OK);
        assertThat(g.p().sigreturn(1)).isEqualTo(Outcome.OK);
        assertThat(tlbFaults(g) - faults).isEqualTo(2);
        assertThat(g.counts().counts()).as("no page-table hook: nothing is mapped or changed").isEqualTo(before);
    }

    @Test
    @DisplayName("a fault inside the handler finds SIGSEGV blocked: force_sig_info resets it to SIG_DFL and the task dies")
    void faultInTheHandlerKills() {
        Guest g = guest(PagingMode.TWO_LEVEL);
        g.p().sigaction(1);
        assertThat(g.p().touch(1, RO, true)).isEqualTo(Outcome.OK);
        assertThat(g.p().touch(1, RO, true)).isEqualTo(Outcome.EFAULT);
        assertThat(g.p().task(1)).isNull();
    }

    @Test
    @DisplayName("sigreturn with no frame is badframe: force_sig(SIGSEGV) kills the task")
    void sigreturnWithoutAFrameKills() {
        Guest g = guest(PagingMode.TWO_LEVEL);
        g.p().sigaction(1);
        assertThat(g.p().sigreturn(1)).isEqualTo(Outcome.EFAULT);
        assertThat(g.p().task(1)).isNull();
        assertThat(g.kernel().signals().sigreturns()).isZero();
    }

    @Test
    @DisplayName("a read of the read-only page is good_area: mapped from the page cache, no signal")
    void readIsGoodArea() {
        Guest g = guest(PagingMode.TWO_LEVEL);
        g.p().sigaction(1);
        assertThat(g.p().touch(1, RO, false)).isEqualTo(Outcome.OK);
        assertThat(g.p().task(1).sigframe()).isEqualTo(Signals.NO_FRAME);
        assertThat(g.kernel().mmu().translate(g.p().task(1).mm().pgd(), RO)).isNotNull();
        assertThat(g.kernel().signals().delivered()).isZero();
    }

    private static long tlbFaults(Guest g) {
        Map<String, Long> t = g.kernel().machine().tlbs().totals();
        return t.getOrDefault("faults", 0L) + t.getOrDefault("walks", 0L) - t.getOrDefault("fills", 0L);
    }
}
