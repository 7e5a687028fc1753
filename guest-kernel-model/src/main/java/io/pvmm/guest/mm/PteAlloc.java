package io.pvmm.guest.mm;

import io.pvmm.api.EntryBits;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.arch.PgAlloc;
import io.pvmm.guest.arch.PgTable;
import io.pvmm.guest.memory.FreePool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code mm/memory.c}'s allocation of pte pages on demand: {@code __pte_alloc} for a user address
 * space, with the race-loser path that frees the page with no hook, and {@code __pte_alloc_kernel}
 * for {@code init_mm}. Faults, fork's copy and vmalloc come here when a pmd is empty.
 *
 * <p>The pte lock is {@code mm->page_table_lock} (no split pte locks).
 */
public final class PteAlloc {

    /** {@code -ENOMEM}. */
    public static final int ENOMEM = -12;

    private final PageTables tables;
    private final PgTable pgTable;
    private final PgAlloc pgAlloc;
    private final ReentrantLock initMmPageTableLock = new ReentrantLock();
    private final AtomicLong kernelPtePages = new AtomicLong();

    /**
     * Creates the allocator.
     *
     * @param tables  page-table accessors
     * @param pgTable {@code pte_alloc_one}
     * @param pgAlloc {@code pmd_populate}, {@code pte_free}
     */
    public PteAlloc(PageTables tables, PgTable pgTable, PgAlloc pgAlloc) {
        this.tables = tables;
        this.pgTable = pgTable;
        this.pgAlloc = pgAlloc;
    }

    /**
     * {@code __pte_alloc(mm, pmd, address)}: a zeroed pte page, linked under the page-table lock
     * unless another thread populated the pmd first.
     *
     * @param mm    the address space
     * @param pmdPa the empty pmd entry's address
     * @return 0 or {@link #ENOMEM}
     */
    public int pteAlloc(MmStruct mm, long pmdPa) {
        long fresh = pgTable.pteAllocOne();
        if (fresh == FreePool.NO_FRAME) {
            return ENOMEM;
        }
        pteInstall(mm, pmdPa, fresh);
        return 0;
    }

    /**
     * The locked half of {@code __pte_alloc}: link {@code fresh} into an empty pmd, or free it with no
     * hook if the pmd is already populated ("Another has populated it").
     *
     * @return whether the page was linked
     */
    boolean pteInstall(MmStruct mm, long pmdPa, long fresh) {
        mm.pageTableLock().lock();
        try {
            if (EntryBits.isPresent(tables.read(pmdPa))) {
                pgAlloc.pteFree(fresh);
                return false;
            }
            mm.nrPtes().incrementAndGet();
            pgAlloc.pmdPopulate(pmdPa, fresh);
            return true;
        } finally {
            mm.pageTableLock().unlock();
        }
    }

    /**
     * {@code __pte_alloc_kernel(pmd, address)}: the same for {@code init_mm}, linked with
     * {@code pmd_populate_kernel}; kernel pte pages are never freed.
     *
     * @param pmdPa the empty pmd entry's address
     * @return 0 or {@link #ENOMEM}
     */
    public int pteAllocKernel(long pmdPa) {
        long fresh = pgTable.pteAllocOne();
        if (fresh == FreePool.NO_FRAME) {
            return ENOMEM;
        }
        initMmPageTableLock.lock();
        try {
            if (EntryBits.isPresent(tables.read(pmdPa))) {
                pgAlloc.pteFreeKernel(fresh); /* Another has populated it */
            } else {
                pgAlloc.pmdPopulateKernel(pmdPa, fresh);
                kernelPtePages.incrementAndGet();
            }
        } finally {
            initMmPageTableLock.unlock();
        }
        return 0;
    }

    /** @return kernel pte pages linked since boot by {@code __pte_alloc_kernel}; they are never freed */
    public long kernelPtePages() {
        return kernelPtePages.get();
    }
}
