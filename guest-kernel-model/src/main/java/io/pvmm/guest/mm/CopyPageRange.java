package io.pvmm.guest.mm;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.KernelStore;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.arch.Paravirt;
import io.pvmm.guest.bugs.BugSites;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.memory.PageFrames;

/**
 * {@code mm/memory.c}'s copy at fork: {@code copy_page_range} gives the child the parent's ptes of a
 * vma ({@code copy_pmd_range}, {@code copy_pte_range}, {@code copy_one_pte}), write-protecting both
 * sides of a copy-on-write mapping in place, in lazy MMU mode.
 */
public final class CopyPageRange {

    private final Paravirt pv;
    private final PageTables tables;
    private final KernelStore store;
    private final PteAlloc pteAlloc;
    private final PageFrames pages;
    private final PmdRange pmdRange;
    private final LazyMmu lazyMmu;
    private final BugSites bugs;

    /**
     * Creates the copy.
     *
     * @param mode     the paging mode
     * @param pv       paravirt wrappers
     * @param tables   page-table accessors
     * @param store    the kernel's direct stores
     * @param pteAlloc {@code __pte_alloc} for the child's pte pages
     * @param pages    frame metadata
     * @param cpus     the CPUs (lazy MMU mode)
     * @param bugs     the guest bugs it commits
     */
    public CopyPageRange(PagingMode mode, Paravirt pv, PageTables tables, KernelStore store, PteAlloc pteAlloc,
                         PageFrames pages, Cpus cpus, BugSites bugs) {
        this.bugs = bugs;
        this.pv = pv;
        this.tables = tables;
        this.store = store;
        this.pteAlloc = pteAlloc;
        this.pages = pages;
        this.pmdRange = new PmdRange(mode, tables);
        this.lazyMmu = new LazyMmu(pv, cpus);
    }

    /**
     * {@code copy_page_range(dst, src, vma)}: the child gets the parent's ptes of the vma, pte pages
     * allocated as needed. A vma without an {@code anon_vma} is left for faults to fill, anonymous or
     * not ("Don't copy ptes where a page fault will fill them correctly. Fork becomes much lighter
     * when there are big shared or private readonly mappings."): 2.6.21 tests
     * {@code if (!vma->anon_vma) return 0;} for every vma that is not hugetlb, nonlinear, pfnmap or
     * insertpage. So an anonymous vma only ever read (zero-page ptes) is not copied. The caller holds
     * both {@code mmap_sem}s.
     *
     * @param dst the child's address space
     * @param src the parent's
     * @param vma the parent's vma
     * @return 0 or {@link PteAlloc#ENOMEM}
     */
    public int copyPageRange(MmStruct dst, MmStruct src, Vma vma) {
        if (!vma.anonVma().present()) {
            return 0;
        }
        long reached = pmdRange.walkPresent(src.pgd(), vma.start(), vma.end(), (srcPmdPa, srcPmd, addr, next) -> {
            // copy_pmd_range: pmd_alloc in the child, then the pte level
            long dstPmdPa = tables.pmdEntryFor(dst.pgd(), addr);
            if (PageTables.pmdNone(tables.read(dstPmdPa)) && pteAlloc.pteAlloc(dst, dstPmdPa) != 0) {
                return PmdRange.STOP;
            }
            copyPteRange(dst, src, tables.read(dstPmdPa), srcPmd, vma, addr, next);
            return next;
        });
        return reached == PmdRange.STOP ? PteAlloc.ENOMEM : 0;
    }

    /** {@code copy_pte_range}: under both pte locks, in lazy MMU mode. */
    private void copyPteRange(MmStruct dst, MmStruct src, long dstPmd, long srcPmd, Vma vma, long addr, long end) {
        dst.pageTableLock().lock();
        src.pageTableLock().lock();
        try {
            boolean srcDirect = store.writable(tables.pfn(srcPmd)); // one direct-map walk per pte page
            lazyMmu.enter();
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
                lazyMmu.leave();
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
            if (!bugs.commits(GuestBug.MISSING_PTE_UPDATE)) pv.pteUpdate(src.pgd(), address, srcPte);
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
}
