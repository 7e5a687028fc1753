package io.pvmm.bench.ops;

import io.pvmm.api.PagingMode;
import io.pvmm.bench.guest.BenchGuest;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.mm.Vma;

/**
 * Write faults on fresh anonymous pages: {@link #PAGES} pages of a 4 MiB-aligned private mapping,
 * each fault allocating a zeroed page and storing its pte ({@code set_pte_at}), the first fault of
 * each pte page allocating and linking it ({@code alloc_pt}, {@code set_pmd}). {@link #reset()}
 * replaces the mapping with a fresh one (unmapping the old pages), outside the measured part.
 */
public final class PageFaultOp {

    /** Faults per {@link #run()}: one 2-level pte page's span, two PAE pte pages'. */
    public static final int PAGES = 1024;
    /** Where the region is mapped: 1 GiB, clear of the image, the heap and the mmap area. */
    public static final long REGION = 0x4000_0000L;

    private final Processes processes;
    private final int pid;

    /**
     * Prepares a process with the region mapped.
     *
     * @param guest the guest
     * @param pid   the process's pid
     */
    public PageFaultOp(BenchGuest guest, int pid) {
        this.processes = guest.processes();
        this.pid = pid;
        guest.spawnInit(pid);
        reset();
    }

    /** Maps the region afresh ({@code MAP_FIXED} unmaps what was there). */
    public void reset() {
        long at = processes.mmap(pid, REGION, (long) PAGES << PagingMode.PAGE_SHIFT, Vma.READ | Vma.WRITE, 0, 0);
        if (at != REGION) {
            throw new IllegalStateException("mmap of the fault region failed: " + at);
        }
    }

    /** Writes every page of the region once: {@link #PAGES} faults. */
    public void run() {
        for (int i = 0; i < PAGES; i++) {
            BenchGuest.require(processes.touch(pid, REGION + ((long) i << PagingMode.PAGE_SHIFT), true), "fault");
        }
    }
}
