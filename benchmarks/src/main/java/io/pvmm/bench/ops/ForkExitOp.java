package io.pvmm.bench.ops;

import io.pvmm.bench.guest.BenchGuest;
import io.pvmm.guest.kernel.Processes;

/**
 * One {@code fork} of a prepared parent and the child's {@code exit}: {@code dup_mm} (a root from
 * {@code pgd_cache}, the parent's vmas and ptes copied in lazy MMU mode, {@code arch_dup_mmap}), then
 * {@code exit_mmap} and, at the next switch back to the parent, {@code pgd_free}.
 *
 * <p>Each operation runs on the calling thread as the vCPU that thread is; two threads use two
 * operations with different parents and pid ranges.
 */
public final class ForkExitOp {

    private final Processes processes;
    private final int parent;
    private int next;

    /**
     * Prepares a parent (an init that has touched a few pages) on a booted guest.
     *
     * @param guest  the guest
     * @param parent the parent's pid; children take the pids above it
     */
    public ForkExitOp(BenchGuest guest, int parent) {
        this.processes = guest.processes();
        this.parent = parent;
        this.next = parent + 1;
        guest.spawnInit(parent);
    }

    /** Forks a child and lets it exit. */
    public void run() {
        int child = next++;
        BenchGuest.require(processes.fork(parent, child), "fork");
        BenchGuest.require(processes.exit(child), "exit");
    }

    /** @return the parent's pid */
    public int parent() {
        return parent;
    }
}
