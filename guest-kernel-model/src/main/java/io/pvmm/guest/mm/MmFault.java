package io.pvmm.guest.mm;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.KernelLayout;
import io.pvmm.guest.arch.KernelStore;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.arch.Paravirt;
import io.pvmm.guest.arch.Smp;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.Gfp;
import io.pvmm.guest.memory.PageFrames;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * {@code mm/memory.c}'s fault path: {@code handle_mm_fault} finds or allocates the pte page
 * ({@code pte_alloc_map}), and {@code handle_pte_fault} maps an anonymous page or the zero page
 * ({@code do_anonymous_page}), a file's page ({@code do_no_page}), or breaks copy-on-write
 * ({@code do_wp_page}).
 *
 * <p>As in 2.6.21, a fault allocates (or looks up the page cache) before it takes the pte lock
 * ({@code mm->page_table_lock}), looks again under it, and the thread that finds a sibling was faster
 * frees what it allocated.
 */
public final class MmFault {

    /** What a fault came to ({@code VM_FAULT_*}). */
    public enum FaultResult {
        /** Handled. */
        MINOR,
        /** Out of memory: the task is killed. */
        OOM,
        /** No vma allows the access: {@code SIGSEGV}. */
        SIGSEGV
    }

    private final Paravirt pv;
    private final PageTables tables;
    private final KernelStore store;
    private final PteAlloc pteAlloc;
    private final FreePool pool;
    private final PageFrames pages;
    private final PageCache pageCache;
    private final Smp smp;
    /** Test hook ({@link #onBeforePteLock}); written before vCPU threads start, so read plainly. */
    private LongConsumer beforePteLockHook;

    /**
     * Creates the fault path.
     *
     * @param pv        paravirt wrappers
     * @param tables    page-table accessors
     * @param store     the kernel's direct stores
     * @param pteAlloc  {@code __pte_alloc}
     * @param pool      the page allocator
     * @param pages     frame metadata
     * @param pageCache file pages
     * @param smp       the TLB flush ({@code flush_tlb_page})
     */
    public MmFault(Paravirt pv, PageTables tables, KernelStore store, PteAlloc pteAlloc, FreePool pool, PageFrames pages,
                   PageCache pageCache, Smp smp) {
        this.pv = pv;
        this.tables = tables;
        this.store = store;
        this.pteAlloc = pteAlloc;
        this.pool = pool;
        this.pages = pages;
        this.pageCache = pageCache;
        this.smp = smp;
    }

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
            if (pteAlloc.pteAlloc(mm, pmdPa) != 0) {
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
        smp.flushTlbPage(mm, address);
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
}
