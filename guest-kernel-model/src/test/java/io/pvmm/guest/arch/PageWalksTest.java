package io.pvmm.guest.arch;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The walks in flight that {@code on_each_cpu(flush_kernel_map, &l, 1, 1)} waits for, on one thread:
 * which walks the wait skips. A wait that has to wait is {@code PageAttrTest}'s, with a second vCPU.
 */
class PageWalksTest {

    private static final int CPUS = 2;

    @Test
    @DisplayName("on_each_cpu's wait returns at once when the other vCPU's walk has ended, and never waits for the caller's own walk")
    void waitSkipsEndedAndOwnWalks() {
        AtomicInteger cpu = new AtomicInteger();
        PageWalks walks = new PageWalks(CPUS, cpu::get);
        cpu.set(1);
        walks.begin();
        walks.end();
        cpu.set(0);
        walks.begin(); // the caller is inside a walk of its own, as a flush from a walk would be
        // a wait on the ended walk, or on the caller's own, would spin here for ever
        assertThatCode(walks::awaitWalksOnOtherCpus).doesNotThrowAnyException();
        walks.end();
        cpu.set(1);
        assertThatCode(walks::awaitWalksOnOtherCpus).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("a thread that is not a vCPU (numbered from the vCPU count up) walks as CPU 0")
    void nonVcpuThreadsAreCpuZero() {
        AtomicInteger cpu = new AtomicInteger(CPUS);
        PageWalks walks = new PageWalks(CPUS, cpu::get);
        assertThatCode(walks::begin).as("CPU %d is past the last vCPU", CPUS).doesNotThrowAnyException();
        cpu.set(0);
        // CPU 0's own walk, begun by the non-vCPU thread: not waited for
        assertThatCode(walks::awaitWalksOnOtherCpus).doesNotThrowAnyException();
        cpu.set(CPUS);
        assertThatCode(walks::end).doesNotThrowAnyException();
        cpu.set(1);
        // CPU 0's walk is over: CPU 1 does not wait for it
        assertThatCode(walks::awaitWalksOnOtherCpus).doesNotThrowAnyException();
    }
}
