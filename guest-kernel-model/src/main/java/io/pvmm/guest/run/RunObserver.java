package io.pvmm.guest.run;

import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.workload.Op;

/**
 * Watches a run from inside, for tests and progress displays. Calls come on the vCPU threads; with one
 * vCPU, {@link #afterOp} runs at a quiescent point where a backend may be audited.
 */
public interface RunObserver {

    /** Observes nothing. */
    RunObserver NONE = new RunObserver() {
    };

    /**
     * The kernel has booted.
     *
     * @param kernel the guest
     */
    default void booted(GuestKernel kernel) {
    }

    /**
     * An operation has been applied.
     *
     * @param kernel the guest
     * @param cpu    the vCPU that applied it
     * @param index  how many operations that vCPU has applied, this one included
     * @param op     the operation
     */
    default void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
    }

    /**
     * The workload has run to its end on every vCPU, and the guest has not begun to shut down: no vCPU
     * runs, the workload's processes, buffers and vmalloc areas are still there, and every address space
     * is as the workload left it. Not called when a violation or a guest {@code BUG()} stopped the
     * workload. Called on the thread that runs the guest, the only one running then, so a walk of the
     * page tables (or an audit of the backend) sees a consistent state.
     *
     * @param kernel the guest
     */
    default void workloadDone(GuestKernel kernel) {
    }

    /**
     * The workload and the shutdown are over (or stopped); the backend has not been audited yet.
     *
     * @param kernel the guest
     */
    default void finished(GuestKernel kernel) {
    }
}
