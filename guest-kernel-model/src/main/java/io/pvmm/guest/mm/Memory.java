package io.pvmm.guest.mm;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.KernelLayout;
import io.pvmm.guest.arch.KernelStore;
import io.pvmm.guest.arch.Paravirt;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.arch.PgAlloc;
import io.pvmm.guest.arch.PgTable;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.Gfp;
import io.pvmm.guest.memory.PageFrames;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * {@code mm/memory.c}, the parts that build and tear down user page tables: allocating a pte page on
 * demand ({@code __pte_alloc}, with the race-loser path that frees the page with no hook), the page
 * fault ({@code handle_pte_fault}: anonymous pages, the zero page, file pages, copy-on-write), fork's
 * copy ({@code copy_page_range}, copy-on-write protection of the parent in place, lazy MMU mode), the
 * zap of a range ({@code zap_pte_range}) and the freeing of pte pages ({@code free_pgtables},
 * {@code free_pgd_range}).
 *
 * <p>The pte lock is {@code mm->page_table_lock} (no split pte locks). As in 2.6.21, a fault allocates
 * (or looks up the page cache) before it takes the lock, looks again under it, and the thread that
 * finds a sibling was faster frees what it allocated.
 */
public final class Memory {

    /** What a fault came to ({@code VM_FAULT_*}). */
    public enum FaultResult {
        /** Handled. */
        MINOR,
        /** Out of memory: the task is killed. */
        OOM,
        /** No vma allows the access: {@code SIGSEGV}. */
        SIGSEGV
    }

    /** {@code -ENOMEM}. */
    public static final int ENOMEM = -12;

    private static final long CHG_MASK = EntryBits.ACCESSED | EntryBits.DIRTY; // plus the frame bits

    private final PagingMode mode;
    private final Paravirt pv;
    private final PageTables tables;
    private final KernelStore store;
    private final PgTable pgTable;
    private final PgAlloc pgAlloc;
    private final FreePool pool;
    private final PageFrames pages;
    private final PageCache pageCache;
    private final Cpus cpus;
    private final ReentrantLock initMmPageTableLock = new ReentrantLock();
    private final java.util.concurrent.atomic.AtomicLong kernelPtePages = new java.util.concurrent.atomic.AtomicLong();
    /** Test hook ({@link #onBeforePteLock}); written before vCPU threads start, so read plainly. */
    private LongConsumer beforePteLockHook;

    /**
     * Creates the memory code.
     *
     * @param layout    the guest's layout
     * @param pv        paravirt wrappers
     * @param tables    page-table accessors
     * @param store     the kernel's direct stores
     * @param pgTable   pte page allocation
     * @param pgAlloc   pmd population and pte page freeing
     * @param pool      the page allocator
     * @param pages     frame metadata
     * @param pageCache file pages
     * @param cpus      the CPUs (which mm is current, lazy mode)
     */
    public Memory(GuestLayout layout, Paravirt pv, PageTables tables, KernelStore store, PgTable pgTable, PgAlloc pgAlloc,
                  FreePool pool, PageFrames pages, PageCache pageCache, Cpus cpus) {
        this.mode = layout.mode();
        this.pv = pv;
        this.tables = tables;
        this.store = store;
        this.pgTable = pgTable;
        this.pgAlloc = pgAlloc;
        this.pool = pool;
        this.pages = pages;
        this.pageCache = pageCache;
        this.cpus = cpus;
    }

    // ---------------------------------------------------------------------------------------------
    // pte page allocation
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code __pte_alloc(mm, pmd, address)}: a zeroed pte page, linked under the page-table lock
     * unless another thread populated the pmd first.
     *
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

    // ---------------------------------------------------------------------------------------------
    // faults
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code handle_mm_fault} for a user access; the caller holds {@code mmap_sem} for reading.
     *
     * @param mm      the address space
     * @param address the faulting address
     * @param write   whether the access writes
     * @return what the fault came to
     */
    public FaultResult handleMmFault(MmStruct mm, long address, boolean write) {
        Vma vma = mm.findVma(address);
        if (vma == null || (write && (vma.flags() & Vma.WRITE) == 0) || (!write && (vma.flags() & Vma.READ) == 0)) {
            return FaultResult.SIGSEGV;
        }
        long pmdPa = tables.pmdEntryFor(mm.pgd(), address);
        long pmd = tables.read(pmdPa);
        if (PageTables.pmdNone(pmd)) {
            if (pteAlloc(mm, pmdPa) != 0) {
                return FaultResult.OOM;
            }
            pmd = tables.read(pmdPa); // pte_alloc_map: linked now, by __pte_alloc or a sibling thread
        }
        long ptePa = tables.pteOffset(pmd, address);
        return handlePteFault(mm, vma, address, ptePa, write);
    }

    /**
     * {@code handle_pte_fault}: the pte is read without the lock ({@code entry = *pte}). An empty one
     * goes to {@code do_anonymous_page} or {@code do_no_page}, which allocate first and take the lock
     * themselves; for a present one the lock is taken here and the pte compared with what was read
     * ({@code if (unlikely(!pte_same(*pte, entry))) goto unlock;}: another thread handled it). The
     * model has no swap or file ptes, so a pte that is not present is empty.
     */
    private FaultResult handlePteFault(MmStruct mm, Vma vma, long address, long ptePa, boolean write) {
        long entry = tables.read(ptePa);
        if (!PageTables.ptePresent(entry)) {
            return vma.anonymous() ? doAnonymousPage(mm, vma, address, ptePa, write) : doNoPage(mm, vma, address, ptePa, write);
        }
        ReentrantLock ptl = mm.pageTableLock();
        ptl.lock();
        try {
            if (tables.read(ptePa) != entry) {
                return FaultResult.MINOR; // !pte_same: someone else handled it
            }
            if (write && !EntryBits.isWritable(entry)) {
                return doWpPage(mm, vma, address, ptePa, entry); // returns with the lock dropped
            }
            long young = entry | EntryBits.ACCESSED | (write ? EntryBits.DIRTY : 0);
            if (young != entry && write) {
                ptepSetAccessFlags(mm, address, ptePa, young);
            }
            return FaultResult.MINOR;
        } finally {
            if (ptl.isHeldByCurrentThread()) {
                ptl.unlock();
            }
        }
    }

    /**
     * {@code do_anonymous_page}: a zeroed page on write ({@code inc_mm_counter(mm, anon_rss)}), the
     * shared zero page on read, which 2.6.21 counts too ({@code inc_mm_counter(mm, file_rss)}), as
     * fork's copy and the zap count every present pte. The page is allocated before the pte lock is
     * taken; under it the pte must still be empty ({@code if (!pte_none(*page_table)) goto release;}),
     * else a sibling thread mapped it first and the page is released ({@code page_cache_release}).
     */
    private FaultResult doAnonymousPage(MmStruct mm, Vma vma, long address, long ptePa, boolean write) {
        long page;
        long entry;
        if (write) {
            page = pool.alloc(Gfp.HIGHUSER_ZERO);
            if (page == FreePool.NO_FRAME) {
                return FaultResult.OOM;
            }
            vma.anonVma().prepare();
            pages.get(page);
            entry = tables.makeEntry(page, vma.pageProt() | EntryBits.DIRTY | EntryBits.RW);
        } else {
            page = KernelLayout.EMPTY_ZERO_PAGE >>> PagingMode.PAGE_SHIFT; // reserved: not counted
            entry = tables.makeEntry(page, vma.pageProt() & ~EntryBits.RW);
        }
        beforePteLock(page);
        mm.pageTableLock().lock();
        try {
            if (!PageTables.pteNone(tables.read(ptePa))) {
                release(page); // release: page_cache_release(page)
                return FaultResult.MINOR;
            }
            mm.rss().incrementAndGet();
            pv.setPteAt(mm.pgd(), address, ptePa, entry);
            return FaultResult.MINOR;
        } finally {
            mm.pageTableLock().unlock();
        }
    }

    /**
     * {@code do_no_page}: the file's page ({@code nopage}), or a private copy of it on a write, both
     * got before the pte lock is taken; under it, "if (pte_none(*page_table))" the page is mapped, else
     * "One of our sibling threads was faster, back out." ({@code page_cache_release(new_page)}: the
     * copy is freed, or the page cache's page loses the reference {@code nopage} took).
     */
    private FaultResult doNoPage(MmStruct mm, Vma vma, long address, long ptePa, boolean write) {
        long page = pageCache.get(vma.fileId(), vma.fileIndex(address));
        if (page == FreePool.NO_FRAME) {
            return FaultResult.OOM;
        }
        long prot = vma.pageProt();
        if (write && (vma.flags() & Vma.SHARED) == 0) {
            long copy = pool.alloc(Gfp.HIGHUSER);
            if (copy == FreePool.NO_FRAME) {
                release(page);
                return FaultResult.OOM;
            }
            vma.anonVma().prepare();
            pages.get(copy);
            store.copyUserHighpage(copy, page); // the private copy of the file's page
            release(page);
            page = copy;
        }
        if (write) {
            prot |= EntryBits.DIRTY | EntryBits.RW;
        }
        beforePteLock(page);
        mm.pageTableLock().lock();
        try {
            if (!PageTables.pteNone(tables.read(ptePa))) {
                release(page); // One of our sibling threads was faster, back out.
                return FaultResult.MINOR;
            }
            mm.rss().incrementAndGet();
            pv.setPteAt(mm.pgd(), address, ptePa, tables.makeEntry(page, prot));
            return FaultResult.MINOR;
        } finally {
            mm.pageTableLock().unlock();
        }
    }

    /**
     * {@code do_wp_page}, entered with the pte lock held and returning with it dropped: reuse the page
     * if nobody else maps it, else copy it. The copy is allocated with the lock dropped
     * ({@code pte_unmap_unlock(page_table, ptl); ... new_page = alloc_page_vma(...)}), the old page
     * held meanwhile ({@code page_cache_get(old_page)}); then, under the lock again,
     * {@code if (likely(pte_same(*page_table, orig_pte)))} the copy replaces the old page
     * ({@code new_page = old_page}), and {@code page_cache_release(new_page)} drops either the old
     * page's mapping or the copy that lost the race.
     */
    private FaultResult doWpPage(MmStruct mm, Vma vma, long address, long ptePa, long orig) {
        ReentrantLock ptl = mm.pageTableLock();
        long old = tables.pfn(orig);
        boolean reserved = pages.test(old, PageFrames.RESERVED);
        try {
            if ((vma.flags() & Vma.SHARED) != 0 || (!reserved && pages.count(old) == 1)) {
                ptepSetAccessFlags(mm, address, ptePa, orig | EntryBits.RW | EntryBits.DIRTY | EntryBits.ACCESSED);
                return FaultResult.MINOR;
            }
            if (!reserved) {
                pages.get(old); // page_cache_get(old_page)
            }
        } finally {
            ptl.unlock();
        }
        long copy = pool.alloc(reserved ? Gfp.HIGHUSER_ZERO : Gfp.HIGHUSER);
        if (copy == FreePool.NO_FRAME) {
            release(old);
            return FaultResult.OOM;
        }
        vma.anonVma().prepare();
        pages.get(copy);
        if (!reserved) {
            store.copyUserHighpage(copy, old); // cow_user_page; the zero page's copy was cleared by __GFP_ZERO
        }
        long fresh = tables.makeEntry(copy, vma.pageProt() | EntryBits.DIRTY | EntryBits.RW);
        beforePteLock(copy);
        ptl.lock();
        try {
            long newPage = copy;
            if (tables.read(ptePa) == orig) { // pte_same
                ptepClearFlush(mm, address, ptePa);
                pv.setPteAt(mm.pgd(), address, ptePa, fresh);
                newPage = old; // Free the old page..
            }
            release(newPage);
            release(old);
            return FaultResult.MINOR;
        } finally {
            ptl.unlock();
        }
    }

    /** {@code ptep_set_access_flags} with dirty set: store the low word in place, {@code pte_update_defer}, flush. */
    private void ptepSetAccessFlags(MmStruct mm, long address, long ptePa, long entry) {
        store.store(ptePa, tables.make(entry));
        pv.pteUpdate(mm.pgd(), address, ptePa);
        flushTlbPage(mm, address);
    }

    /** {@code ptep_clear_flush}: {@code ptep_get_and_clear} (an xchg, then {@code pte_update}), then flush. */
    private void ptepClearFlush(MmStruct mm, long address, long ptePa) {
        store.store(ptePa, 0);
        pv.pteUpdate(mm.pgd(), address, ptePa);
        flushTlbPage(mm, address);
    }

    private void flushTlbPage(MmStruct mm, long address) {
        if (cpus.isCurrent(mm)) {
            pv.flushTlbSingle(address);
        }
    }

    private void release(long pfn) {
        if (!pages.test(pfn, PageFrames.RESERVED) && pages.put(pfn) == 0) {
            pool.free(pfn);
        }
    }

    /** The test hook, if any, where a fault holds its page and is about to take the pte lock. */
    private void beforePteLock(long page) {
        LongConsumer hook = beforePteLockHook;
        if (hook != null) {
            hook.accept(page);
        }
    }

    /**
     * For tests: a hook run where a fault has the page it will map (allocated, or the page cache's, or
     * the zero page) and is about to take the pte lock to install it, so a test can hold two faults
     * there and force the race the lock's recheck settles. Set it only while no vCPU thread runs.
     *
     * @param hook given the page's frame; null for none
     */
    void onBeforePteLock(LongConsumer hook) {
        this.beforePteLockHook = hook;
    }

    // ---------------------------------------------------------------------------------------------
    // fork
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code copy_page_range(dst, src, vma)}: the child gets the parent's ptes of the vma, pte pages
     * allocated as needed. A vma without an {@code anon_vma} is left for faults to fill, anonymous or
     * not ("Don't copy ptes where a page fault will fill them correctly. Fork becomes much lighter
     * when there are big shared or private readonly mappings."): 2.6.21 tests
     * {@code if (!vma->anon_vma) return 0;} for every vma that is not hugetlb, nonlinear, pfnmap or
     * insertpage. So an anonymous vma only ever read (zero-page ptes) is not copied. The caller holds
     * both {@code mmap_sem}s.
     *
     * @return 0 or {@link #ENOMEM}
     */
    public int copyPageRange(MmStruct dst, MmStruct src, Vma vma) {
        if (!vma.anonVma().present()) {
            return 0;
        }
        long pmdSize = mode.pmdSize();
        for (long addr = vma.start(); addr < vma.end(); ) {
            long next = Math.min(vma.end(), (addr & ~(pmdSize - 1)) + pmdSize);
            long srcPmd = tables.read(tables.pmdEntryFor(src.pgd(), addr));
            if (!PageTables.pmdNone(srcPmd)) {
                long dstPmdPa = tables.pmdEntryFor(dst.pgd(), addr);
                if (PageTables.pmdNone(tables.read(dstPmdPa)) && pteAlloc(dst, dstPmdPa) != 0) {
                    return ENOMEM;
                }
                copyPteRange(dst, src, tables.read(dstPmdPa), srcPmd, vma, addr, next);
            }
            addr = next;
        }
        return 0;
    }

    /** {@code copy_pte_range}: under both pte locks, in lazy MMU mode. */
    private void copyPteRange(MmStruct dst, MmStruct src, long dstPmd, long srcPmd, Vma vma, long addr, long end) {
        dst.pageTableLock().lock();
        src.pageTableLock().lock();
        try {
            boolean srcDirect = store.writable(tables.pfn(srcPmd)); // one direct-map walk per pte page
            enterLazyMmu();
            try {
                for (long a = addr; a < end; a += PagingMode.PAGE_SIZE) {
                    long srcPte = tables.pteOffset(srcPmd, a);
                    long pte = tables.read(srcPte);
                    if (pte == 0) {
                        continue;
                    }
                    copyOnePte(dst, src, tables.pteOffset(dstPmd, a), srcPte, srcDirect, pte, vma, a);
                }
            } finally {
                leaveLazyMmu();
            }
        } finally {
            src.pageTableLock().unlock();
            dst.pageTableLock().unlock();
        }
    }

    /**
     * {@code copy_one_pte}: in a copy-on-write mapping write-protect both sides
     * ({@code if (is_cow_mapping(vm_flags)) { ptep_set_wrprotect(src_mm, addr, src_pte);
     * pte = pte_wrprotect(pte); }}; i386's {@code ptep_set_wrprotect} is
     * {@code clear_bit(_PAGE_BIT_RW, &ptep->pte_low); pte_update(mm, addr, ptep);}, so every such pte
     * gets a {@code pte_update}, writable or not), then take a reference. A pte that is not
     * {@code pte_present} (no page: a swap entry) is copied as it is; a {@code PROT_NONE} pte is
     * present and holds its page.
     */
    private void copyOnePte(MmStruct dst, MmStruct src, long dstPte, long srcPte, boolean srcDirect, long pte, Vma vma,
                            long address) {
        if (!PageTables.ptePresent(pte)) {
            pv.setPteAt(dst.pgd(), address, dstPte, tables.make(pte)); // out_set_pte
            return;
        }
        if (vma.cow()) {
            // ptep_set_wrprotect: clear_bit(_PAGE_BIT_RW) in place, then pte_update, for every present
            // pte of a COW mapping, whether or not it was writable
            store.store(srcPte, tables.readRaw(srcPte) & ~EntryBits.RW, srcDirect);
            pv.pteUpdate(src.pgd(), address, srcPte);
            pte &= ~EntryBits.RW;
        }
        if ((vma.flags() & Vma.SHARED) != 0) {
            pte &= ~EntryBits.DIRTY;
        }
        pte &= ~EntryBits.ACCESSED;
        long page = tables.pfn(pte);
        if (!pages.test(page, PageFrames.RESERVED)) {
            pages.get(page);
        }
        dst.rss().incrementAndGet();
        pv.setPteAt(dst.pgd(), address, dstPte, tables.make(pte));
    }

    // ---------------------------------------------------------------------------------------------
    // teardown
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code ZAP_BLOCK_SIZE} without {@code CONFIG_PREEMPT} (the i386 default): {@code unmap_vmas}
     * finishes the gather and starts a new one after this much work, a present pte counting a page and
     * an empty pte or pmd one byte.
     */
    public static final long ZAP_BLOCK_SIZE = 1024L * PagingMode.PAGE_SIZE;

    /**
     * {@code unmap_vmas}: zaps every pte of {@code [start, end)} in the given vmas; every
     * {@link #ZAP_BLOCK_SIZE} of work it finishes the gather ({@code tlb_finish_mmu}: the flush, and the
     * gathered pages freed) and gathers again ({@code tlb_gather_mmu}), where the kernel may reschedule.
     *
     * @param tlb   the teardown's gather ({@code fullmm} for {@code exit_mmap})
     * @param mm    the address space
     * @param vmas  the vmas, in address order
     * @param start first address
     * @param end   end address
     */
    public void unmapVmas(MmuGather tlb, MmStruct mm, List<Vma> vmas, long start, long end) {
        long pmdSize = mode.pmdSize();
        long[] zapWork = {ZAP_BLOCK_SIZE};
        for (Vma vma : vmas) {
            long from = Math.max(start, vma.start());
            long to = Math.min(end, vma.end());
            for (long addr = from; addr < to; ) {
                long next = Math.min(to, (addr & ~(pmdSize - 1)) + pmdSize);
                long pmd = tables.read(tables.pmdEntryFor(mm.pgd(), addr));
                if (PageTables.pmdNone(pmd)) {
                    zapWork[0]--;
                    addr = next;
                } else {
                    addr = zapPteRange(tlb, mm, pmd, addr, next, zapWork);
                }
                if (zapWork[0] <= 0) {
                    tlb.finish();
                    tlb.restart();
                    zapWork[0] = ZAP_BLOCK_SIZE;
                }
            }
        }
    }

    /**
     * {@code zap_pte_range}: clear each pte ({@code ptep_get_and_clear_full}) and gather its page,
     * until {@code end} or until the block's work is spent.
     *
     * @return the address the zap stopped at
     */
    private long zapPteRange(MmuGather tlb, MmStruct mm, long pmd, long addr, long end, long[] zapWork) {
        long a = addr;
        mm.pageTableLock().lock();
        try {
            boolean direct = store.writable(tables.pfn(pmd)); // one direct-map walk per pte page
            enterLazyMmu();
            try {
                do {
                    long ptePa = tables.pteOffset(pmd, a);
                    long pte = tables.read(ptePa);
                    if (pte == 0) {
                        zapWork[0]--;
                        continue;
                    }
                    zapWork[0] -= PagingMode.PAGE_SIZE;
                    store.store(ptePa, 0, direct);
                    if (!PageTables.ptePresent(pte)) {
                        continue; // pte_clear_not_present_full
                    }
                    if (!tlb.fullmm()) {
                        pv.pteUpdate(mm.pgd(), a, ptePa); // ptep_get_and_clear; the full-mm xchg tells nobody
                    }
                    tlb.noteUnmapped();
                    long page = tables.pfn(pte);
                    mm.rss().decrementAndGet();
                    if (!pages.test(page, PageFrames.RESERVED)) {
                        tlb.removePage(page);
                    }
                } while ((a += PagingMode.PAGE_SIZE) != end && zapWork[0] > 0);
            } finally {
                leaveLazyMmu();
            }
        } finally {
            mm.pageTableLock().unlock();
        }
        return a;
    }

    /**
     * {@code free_pgtables(tlb, vma, floor, ceiling)}: frees the pte pages under the given vmas,
     * gathering nearby vmas into one {@code free_pgd_range} call as the kernel does.
     *
     * @param tlb     the teardown's gather
     * @param mm      the address space
     * @param vmas    the vmas being removed, in address order
     * @param floor   the end of the vma below, 0 if none
     * @param ceiling the start of the vma above, 0 if none
     */
    public void freePgtables(MmuGather tlb, MmStruct mm, List<Vma> vmas, long floor, long ceiling) {
        long pmdSize = mode.pmdSize();
        for (int i = 0; i < vmas.size(); ) {
            long addr = vmas.get(i).start();
            int j = i;
            while (j + 1 < vmas.size() && vmas.get(j + 1).start() <= vmas.get(j).end() + pmdSize) {
                j++;
            }
            long next = j + 1 < vmas.size() ? vmas.get(j + 1).start() : ceiling;
            freePgdRange(tlb, mm, addr, vmas.get(j).end(), floor, next);
            i = j + 1;
        }
    }

    /**
     * {@code free_pgd_range}: frees the pte pages whose whole {@code PMD_SIZE} span lies within
     * {@code [floor, ceiling)} and meets {@code [addr, end)}; each is unlinked ({@code pmd_clear}), then
     * released ({@code __pte_free_tlb}). PAE pmds are not freed here ({@code pud_clear} and
     * {@code __pmd_free_tlb} are no-ops: "we free the pmds as part of the pgd").
     */
    void freePgdRange(MmuGather tlb, MmStruct mm, long addr, long end, long floor, long ceiling) {
        long pmdSize = mode.pmdSize();
        long pmdMask = ~(pmdSize - 1) & 0xFFFF_FFFFL;
        addr &= pmdMask;
        if (addr < floor) {
            addr += pmdSize;
            if (addr >= (1L << 32)) {
                return;
            }
        }
        if (ceiling != 0) {
            ceiling &= pmdMask;
            if (ceiling == 0) {
                return;
            }
        }
        long ceilingMinusOne = ceiling == 0 ? 0xFFFF_FFFFL : ceiling - 1;
        if (end - 1 > ceilingMinusOne) {
            end -= pmdSize;
        }
        if (addr > end - 1) {
            return;
        }
        for (long a = addr; a < end; a += pmdSize) {
            long pmdPa = tables.pmdEntryFor(mm.pgd(), a);
            long pmd = tables.read(pmdPa);
            if (PageTables.pmdNone(pmd)) {
                continue;
            }
            long pte = tables.pfn(pmd);
            // free_pte_range
            pv.pmdClear(pmdPa);
            pgAlloc.pteFreeTlb(tlb, pte);
            mm.nrPtes().decrementAndGet();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // mprotect
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code change_protection} ({@code mm/mprotect.c}): each present pte of the range is taken with
     * {@code ptep_get_and_clear}, given the new protection ({@code pte_modify}) and stored back with
     * {@code set_pte_at}, in lazy MMU mode; then the TLB is flushed.
     *
     * @param mm      the address space
     * @param start   first address
     * @param end     end address
     * @param newProt the vma's new {@code vm_page_prot}
     */
    public void changeProtection(MmStruct mm, long start, long end, long newProt) {
        long pmdSize = mode.pmdSize();
        for (long addr = start; addr < end; ) {
            long next = Math.min(end, (addr & ~(pmdSize - 1)) + pmdSize);
            long pmd = tables.read(tables.pmdEntryFor(mm.pgd(), addr));
            if (!PageTables.pmdNone(pmd)) {
                mm.pageTableLock().lock();
                try {
                    boolean direct = store.writable(tables.pfn(pmd)); // one direct-map walk per pte page
                    enterLazyMmu();
                    try {
                        for (long a = addr; a < next; a += PagingMode.PAGE_SIZE) {
                            long ptePa = tables.pteOffset(pmd, a);
                            long pte = tables.read(ptePa);
                            if (!PageTables.ptePresent(pte)) {
                                continue;
                            }
                            store.store(ptePa, 0, direct);
                            pv.pteUpdate(mm.pgd(), a, ptePa);
                            long modified = (pte & (mode.frameMask() | CHG_MASK)) | newProt;
                            pv.setPteAt(mm.pgd(), a, ptePa, tables.make(modified));
                        }
                    } finally {
                        leaveLazyMmu();
                    }
                } finally {
                    mm.pageTableLock().unlock();
                }
            }
            addr = next;
        }
        if (cpus.isCurrent(mm)) {
            pv.flushTlbUser();
        }
    }

    private void enterLazyMmu() {
        Cpus.Cpu cpu = cpus.current();
        if (cpu.lazyMmu()) {
            throw new IllegalStateException("lazy MMU mode entered twice on cpu " + cpu.id());
        }
        cpu.setLazyMmu(true);
        pv.enterLazyMmu();
    }

    private void leaveLazyMmu() {
        cpus.current().setLazyMmu(false);
        pv.leaveLazyMmu();
    }

    /** @return kernel pte pages linked since boot by {@code __pte_alloc_kernel}; they are never freed */
    public long kernelPtePages() {
        return kernelPtePages.get();
    }
}
