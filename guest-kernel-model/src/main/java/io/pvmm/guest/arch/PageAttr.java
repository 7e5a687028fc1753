package io.pvmm.guest.arch;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.Gfp;
import io.pvmm.guest.memory.KernelOops;
import io.pvmm.guest.memory.PageFrames;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code arch/i386/mm/pageattr.c} (Linux 2.6.21 with the page allocation hooks):
 * {@code change_page_attr} changes the attributes of lowmem pages in the kernel's direct map, splitting
 * a large page into a new pte page when needed ({@code alloc_pt} on the unzeroed page, then its
 * {@code PTRS_PER_PTE} {@code set_pte}s, then {@code set_pmd_pte}), counting in {@code page_private}
 * the ptes of a split table that differ from the default, and reverting to a large page when that
 * count falls to zero ({@code release_pt} before {@code revert_page} overwrites the pmd; the page goes
 * on the deferred list that {@code global_flush_tlb} frees after flushing every CPU's TLB).
 *
 * <p>{@code set_pmd_pte} writes the kernel's own entry, then — unless the kernel pmd is shared — the
 * same entry of every root on {@code pgd_list}, under {@code pgd_lock}.
 */
public final class PageAttr {

    /** The attributes {@code change_page_attr} is asked to give a page. */
    public enum Attr {
        /** {@code PAGE_KERNEL}: the default; restores a changed page. */
        KERNEL,
        /** {@code PAGE_KERNEL_NOCACHE}: uncached, as AGP and DRM drivers ask. */
        NOCACHE,
        /** {@code PAGE_KERNEL_RO}: read-only. */
        READ_ONLY
    }

    /** {@code -EINVAL}. */
    public static final int EINVAL = -22;
    /** {@code -ENOMEM}. */
    public static final int ENOMEM = -12;

    private final PagingMode mode;
    private final GuestLayout layout;
    private final FreePool pool;
    private final PageFrames pages;
    private final Paravirt pv;
    private final PageTables tables;
    private final PgTable pgTable;
    private final KernelProt prot;
    private final PageWalks walks;
    private final Smp smp;
    private final ReentrantLock cpaLock = new ReentrantLock();
    private final List<Long> dfList = new ArrayList<>();

    /**
     * Creates the pageattr code.
     *
     * @param layout  the guest's layout
     * @param pool    the page allocator
     * @param pages   frame metadata
     * @param pv      paravirt wrappers
     * @param tables  page-table accessors
     * @param pgTable {@code pgd_list} and {@code pgd_lock}
     * @param prot    the kernel's protections
     * @param walks   the direct-map walks in flight, which {@code flush_map} waits out
     * @param smp     {@code on_each_cpu}, which {@code flush_map} runs {@code flush_kernel_map} with
     */
    public PageAttr(GuestLayout layout, FreePool pool, PageFrames pages, Paravirt pv, PageTables tables,
                    PgTable pgTable, KernelProt prot, PageWalks walks, Smp smp) {
        this.smp = smp;
        this.mode = layout.mode();
        this.layout = layout;
        this.pool = pool;
        this.pages = pages;
        this.pv = pv;
        this.tables = tables;
        this.pgTable = pgTable;
        this.prot = prot;
        this.walks = walks;
    }

    /**
     * {@code lookup_address(address)}: the kernel's entry that maps an address — the pmd itself when
     * it maps a large page.
     *
     * @param address a kernel virtual address
     * @return the entry's physical address, or -1 if nothing maps it
     */
    public long lookupAddress(long address) {
        long pmd = tables.pmdEntryFor(layout.swapperPgDir(), address);
        if (pmd < 0) {
            return -1;
        }
        long entry = tables.read(pmd);
        if (PageTables.pmdNone(entry)) {
            return -1;
        }
        if (EntryBits.isLarge(entry)) {
            return pmd;
        }
        return tables.pteOffset(entry, address);
    }

    /**
     * {@code split_large_page}: called with {@code cpa_lock} held, which it drops around the
     * allocation.
     *
     * @return the new pte page, or {@link FreePool#NO_FRAME}
     */
    long splitLargePage(long address, long newProt, long refProt) {
        cpaLock.unlock();
        long base;
        try {
            base = pool.alloc(Gfp.KERNEL);
        } finally {
            cpaLock.lock();
        }
        if (base == FreePool.NO_FRAME) {
            return FreePool.NO_FRAME;
        }
        /* page_private is used to track the number of entries in the page table page that have non standard attributes. */
        pages.set(base, PageFrames.PRIVATE | PageFrames.PAGETABLE);
        pages.setPrivateCount(base, 0);
        long pa = address - PagingMode.PAGE_OFFSET;
        long addr = pa & ~(mode.pmdSize() - 1);
        long pbase = base << PagingMode.PAGE_SHIFT;
        pv.allocPt(base);
        for (int i = 0; i < mode.ptrsPerPte(); i++, addr += PagingMode.PAGE_SIZE) {
            pv.setPte(pbase + (long) i * mode.entryBytes(),
                    tables.makeEntry(addr >>> PagingMode.PAGE_SHIFT, addr == pa ? newProt : refProt));
        }
        return base;
    }

    /** {@code set_pmd_pte}: the kernel's entry, then every listed root's (2-level, unshared PAE). */
    void setPmdPte(long kpte, long address, long pte) {
        pv.setPteAtomic(kpte, pte); /* change init_mm */
        if (layout.sharedKernelPmd()) {
            return;
        }
        pgTable.pgdLock().lock();
        try {
            for (long pgd : pgTable.pgdListLocked()) {
                if (!pgTable.walkable(pgd)) {
                    continue;
                }
                long pmd = tables.pmdOffset(tables.pgdOffset(pgd, address), address);
                pv.setPteAtomic(pmd, pte);
            }
        } finally {
            pgTable.pgdLock().unlock();
        }
    }

    /** {@code revert_page}: no more special protections in this large page - revert to a large page again. */
    void revertPage(long address) {
        long refProt = (address & largePageMask()) < PagingMode.PAGE_OFFSET + KernelLayout.ETEXT
                ? prot.kernelLargeExec() : prot.kernelLarge();
        long linear = tables.pmdOffset(tables.pgdOffset(layout.swapperPgDir(), address), address);
        long pa = (address - PagingMode.PAGE_OFFSET) & largePageMask();
        setPmdPte(linear, address, tables.makeEntry(pa >>> PagingMode.PAGE_SHIFT, refProt));
    }

    /** {@code __change_page_attr(page, prot)}; called with {@code cpa_lock} held. */
    int changeOne(long pfn, long newProt) {
        if (pfn >= layout.maxLowPfn()) {
            throw new KernelOops("change_page_attr on highmem frame 0x" + Long.toHexString(pfn)); // BUG_ON(PageHighMem(page))
        }
        long address = layout.directMapAddress(pfn);
        long kpte = lookupAddress(address);
        if (kpte < 0) {
            return EINVAL;
        }
        long kptePage = kpte >>> PagingMode.PAGE_SHIFT;
        boolean huge = EntryBits.isLarge(tables.read(kpte)) && isPmdLevel(kpte, address);
        if (newProt != prot.kernel()) {
            if (!huge) {
                pv.setPteAtomic(kpte, tables.makeEntry(pfn, newProt));
            } else {
                long refProt = (address & largePageMask()) < PagingMode.PAGE_OFFSET + KernelLayout.ETEXT
                        ? prot.kernelExec() : prot.kernel();
                long split = splitLargePage(address, newProt, refProt);
                if (split == FreePool.NO_FRAME) {
                    return ENOMEM;
                }
                setPmdPte(kpte, address, tables.makeEntry(split, refProt));
                kptePage = split;
            }
            pages.setPrivateCount(kptePage, pages.privateCount(kptePage) + 1);
        } else if (!huge) {
            pv.setPteAtomic(kpte, tables.makeEntry(pfn, prot.kernel()));
            if (pages.privateCount(kptePage) == 0) {
                throw new KernelOops("change_page_attr: restoring frame 0x" + Long.toHexString(pfn) + " that was never changed");
            }
            pages.setPrivateCount(kptePage, pages.privateCount(kptePage) - 1);
        } else {
            throw new KernelOops("change_page_attr: restoring PAGE_KERNEL on a large page at 0x" + Long.toHexString(address));
        }

        /*
         * If the pte was reserved, it means it was created at boot time (not via split_large_page)
         * and in turn we must not replace it with a largepage.
         */
        if (!pages.test(kptePage, PageFrames.RESERVED) && layout.pse() && pages.privateCount(kptePage) == 0) {
            pages.clear(kptePage, PageFrames.PRIVATE);
            pv.releasePt(kptePage);
            dfList.add(kptePage);
            revertPage(address);
        }
        return 0;
    }

    private boolean isPmdLevel(long kpte, long address) {
        return kpte == tables.pmdEntryFor(layout.swapperPgDir(), address);
    }

    /**
     * {@code change_page_attr(page, numpages, prot)}. "Caller must call global_flush_tlb() after this."
     *
     * @param pfn      the first lowmem frame
     * @param numpages how many consecutive frames
     * @param attr     the attributes to give them
     * @return 0, {@link #EINVAL} or {@link #ENOMEM}
     */
    public int changePageAttr(long pfn, int numpages, Attr attr) {
        long newProt = switch (attr) {
            case KERNEL -> prot.kernel();
            case NOCACHE -> prot.kernelNocache();
            case READ_ONLY -> prot.kernelRo();
        };
        int err = 0;
        cpaLock.lock();
        try {
            for (int i = 0; i < numpages; i++) {
                err = changeOne(pfn + i, newProt);
                if (err != 0) {
                    break;
                }
            }
        } finally {
            cpaLock.unlock();
        }
        return err;
    }

    /**
     * {@code global_flush_tlb}: takes the deferred list under {@code cpa_lock}, flushes the TLB of
     * every CPU ({@code flush_map}: {@code on_each_cpu(flush_kernel_map, &l, 1, 1)}, each CPU's own
     * {@code __flush_tlb_all}), then frees the reverted pte pages.
     *
     * <p>{@code on_each_cpu}'s {@code wait=1} is what makes the free safe: it returns once every CPU has
     * run {@code flush_kernel_map}, which a CPU does only between instructions, so no CPU is still
     * walking through the pmd that {@code revert_page} replaced, nor holds a translation through it. A
     * page freed before that could be reused (zeroed for a new pte page, say) under another vCPU's walk,
     * which would then find its pte not present.
     */
    public void globalFlushTlb() {
        List<Long> l;
        cpaLock.lock();
        try {
            l = new ArrayList<>(dfList);
            dfList.clear();
        } finally {
            cpaLock.unlock();
        }
        flushMap();
        for (long pfn : l) {
            pages.clear(pfn, PageFrames.PAGETABLE);
            pool.free(pfn);
        }
    }

    /**
     * {@code flush_map}: {@code on_each_cpu(flush_kernel_map, l, 1, 1)}, which returns when every CPU has
     * flushed, so also when every walk in flight on another vCPU has ended. {@code flush_kernel_map}
     * ({@code wbinvd}, which the model has no cache for, then) is {@code __flush_tlb_all()}.
     */
    private void flushMap() {
        smp.onEachCpu(smp::flushTlbAllLocal);
        walks.awaitWalksOnOtherCpus();
    }

    /** @return pte pages waiting on the deferred list for {@code global_flush_tlb} */
    public int deferredPages() {
        cpaLock.lock();
        try {
            return dfList.size();
        } finally {
            cpaLock.unlock();
        }
    }

    private long largePageMask() {
        return ~(mode.pmdSize() - 1) & 0xFFFF_FFFFL;
    }
}
