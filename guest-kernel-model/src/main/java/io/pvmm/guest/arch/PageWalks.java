package io.pvmm.guest.arch;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntSupplier;

/**
 * The kernel's walks of its own direct map in flight on each vCPU, and the wait that
 * {@code on_each_cpu(func, info, retry, wait=1)} implies for them.
 *
 * <p>A CPU takes an interrupt only between instructions, and a page walk is part of the instruction
 * that needs it. So when {@code global_flush_tlb}'s {@code flush_map} returns from
 * {@code on_each_cpu(flush_kernel_map, &l, 1, 1)}, every CPU has finished whatever access it was making
 * through the old kernel pmd and has flushed its TLB of it; only then does {@code global_flush_tlb}
 * free the pte pages that {@code revert_page} took out of the direct map. The model's vCPUs are
 * threads that can be preempted in the middle of a walk (between reading the pmd and reading the pte
 * it points to), so a walk is bracketed by {@link #begin()} and {@link #end()}, and
 * {@link #awaitWalksOnOtherCpus()} is the {@code wait=1} of the IPI: it returns only once every other
 * vCPU has left the walk it was in when the call began.
 *
 * <p><b>Threading:</b> {@code begin}/{@code end} are called by a vCPU on itself, never nested, and take
 * no lock (a walk never blocks, as the hardware's never does); {@code awaitWalksOnOtherCpus} may be
 * called from any vCPU, holding no lock a walk needs (walks need none). Threads that are not vCPUs act
 * as CPU 0.
 */
public final class PageWalks {

    /** One counter per vCPU, spaced a cache line apart: odd while that vCPU is inside a walk. */
    private static final int STRIDE = 16;

    private final AtomicLongArray walks;
    private final int cpus;
    private final IntSupplier currentCpu;

    /**
     * Creates the walk counters.
     *
     * @param cpus       the guest's vCPUs
     * @param currentCpu answers the calling vCPU ({@code smp_processor_id()})
     */
    public PageWalks(int cpus, IntSupplier currentCpu) {
        this.cpus = cpus;
        this.currentCpu = currentCpu;
        this.walks = new AtomicLongArray(Math.max(1, cpus) * STRIDE);
    }

    /**
     * The calling vCPU starts a walk: what it reads of the page tables from here to {@link #end()} is
     * one instruction's walk. A full fence, so that a walk that starts after a flusher's check reads the
     * entries the flusher wrote before it.
     */
    public void begin() {
        walks.incrementAndGet(slot(cpu()));
    }

    /** The calling vCPU's walk is over: an IPI may now be taken. */
    public void end() {
        walks.lazySet(slot(cpu()), walks.get(slot(cpu())) + 1);
    }

    /**
     * The {@code wait} of {@code on_each_cpu}: returns once every other vCPU that was inside a walk has
     * left it. A walk that begins after this call began reads the page tables as the caller left them
     * before the call, so it cannot reach a page the caller frees afterwards.
     */
    public void awaitWalksOnOtherCpus() {
        VarHandle.fullFence(); // the caller's entry writes before the reads of the counters
        int self = cpu();
        for (int c = 0; c < cpus; c++) {
            if (c == self) {
                continue;
            }
            long seen = walks.get(slot(c));
            if ((seen & 1) == 0) {
                continue;
            }
            while (walks.get(slot(c)) == seen) {
                Thread.onSpinWait();
                Thread.yield(); // the walker may be a thread the host has preempted: let it run
            }
        }
    }

    private int cpu() {
        int c = currentCpu.getAsInt();
        return c < cpus ? c : 0;
    }

    private static int slot(int cpu) {
        return cpu * STRIDE;
    }
}
