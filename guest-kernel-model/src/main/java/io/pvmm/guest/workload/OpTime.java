package io.pvmm.guest.workload;

import io.pvmm.api.PagingMode;

/**
 * What an operation costs a guest in time, for the model's clock ({@code kernel.GuestClock}): the
 * native Linux figures of lmbench as Barham et al. report them ("Xen and the Art of Virtualization",
 * SOSP 2003, Tables 3 and 5, column L-SMP: a 2.4.21 SMP kernel on a 2 x 2.4 GHz Xeon). Those tables are
 * recalled, not checked against the paper (research/domain.md §5.2, marked [M]); the split of a
 * figure between two operations is assumed, and said so below. The clock needs only the order of
 * magnitude: whether a run lasts milliseconds or seconds of guest time decides whether the slab
 * reaper's two-second timer fires during it.
 */
final class OpTime {

    /** lmbench "fork proc" (fork, exit, wait): 143 µs; half charged to the fork, half to the exit (assumed). */
    static final long FORK = 143_000 / 2;
    /** The other half of "fork proc". */
    static final long EXIT = 143_000 - FORK;
    /** lmbench "exec proc" less "fork proc": 601 - 143 = 458 µs for the exec. */
    static final long EXEC = 601_000 - 143_000;
    /** lmbench "mmap lat" (mmap, then munmap): 99 µs, half each (assumed). */
    static final long MMAP = 99_000 / 2;
    /** The other half of "mmap lat". */
    static final long MUNMAP = 99_000 - MMAP;
    /** lmbench "page fault": 1.88 µs per page touched. */
    static final long PAGE_FAULT = 1_880;
    /** lmbench "null call": 0.53 µs, for every other operation (a system call or a kernel path without a figure). */
    static final long NULL_CALL = 530;

    private OpTime() {
    }

    /**
     * @param op an operation
     * @return the guest nanoseconds it takes
     */
    static long nanos(Op op) {
        if (op instanceof Op.Fork) {
            return FORK;
        } else if (op instanceof Op.Exit) {
            return EXIT;
        } else if (op instanceof Op.Exec) {
            return EXEC;
        } else if (op instanceof Op.Mmap) {
            return MMAP;
        } else if (op instanceof Op.Munmap) {
            return MUNMAP;
        } else if (op instanceof Op.Touch t) {
            return PAGE_FAULT * Math.max(1, (t.len() + PagingMode.PAGE_SIZE - 1) / PagingMode.PAGE_SIZE);
        }
        return NULL_CALL;
    }
}
