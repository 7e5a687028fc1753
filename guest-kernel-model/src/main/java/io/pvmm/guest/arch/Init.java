package io.pvmm.guest.arch;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.memory.Bootmem;
import io.pvmm.guest.memory.PageFrames;

/**
 * {@code arch/i386/mm/init.c} (Linux 2.6.21 with the page allocation hooks): builds the kernel's page
 * tables in {@code swapper_pg_dir} at boot.
 *
 * <p>{@code paging_init} → {@code pagetable_init}: PAE points the root entries at
 * {@code empty_zero_page}; 2-level announces {@code swapper_pg_dir} ({@code alloc_pd}); then
 * {@code kernel_physical_mapping_init} maps lowmem at {@code PAGE_OFFSET} (large pages when PSE is in
 * use, else a bootmem pte page per pmd, each announced with {@code alloc_pt} before the
 * {@code set_pmd} that links it), and {@code page_table_range_init} creates the pte pages of the
 * fixmap and of the persistent kmaps.
 *
 * <p>As the guest's kernel has it ({@link Paravirt#kernel()}): 2.6.21 points all four PAE root
 * entries at the zero page inline; 2.6.23 brackets the work with
 * {@code paravirt_pagetable_setup_start}/{@code _done}, whose native half
 * ({@code native_pagetable_setup_start}) points only the {@code USER_PTRS_PER_PGD} user entries at the
 * zero page and clears the kernel's. Both end the fixmap's range at 2.6.23's
 * {@code (FIXADDR_TOP + PMD_SIZE - 1) & PMD_MASK}: 2.6.21's {@code page_table_range_init(vaddr, 0,
 * pgd_base)} runs on to the top of the address space, so a reserved top would get pte pages too; that
 * is not modelled.
 *
 * <p>Not modelled: head.S's provisional {@code pg0} tables (the model starts at {@code pagetable_init}
 * with an empty {@code swapper_pg_dir}), the PAE low identity alias for AP startup and
 * {@code zap_low_mappings}, which removes it again.
 */
public final class Init {

    private final PagingMode mode;
    private final GuestLayout layout;
    private final PageFrames pages;
    private final Bootmem bootmem;
    private final Paravirt pv;
    private final PageTables tables;
    private final KernelProt prot;

    /**
     * Creates the boot code.
     *
     * @param layout  the guest's layout
     * @param pages   frame metadata
     * @param bootmem the boot allocator
     * @param pv      paravirt wrappers
     * @param tables  page-table accessors
     * @param prot    the kernel's protections
     */
    public Init(GuestLayout layout, PageFrames pages, Bootmem bootmem, Paravirt pv, PageTables tables, KernelProt prot) {
        this.mode = layout.mode();
        this.layout = layout;
        this.pages = pages;
        this.bootmem = bootmem;
        this.pv = pv;
        this.tables = tables;
        this.prot = prot;
    }

    /** {@code paging_init}: {@code pagetable_init}, {@code load_cr3(swapper_pg_dir)}, {@code __flush_tlb_all}. */
    public void pagingInit() {
        pagetableInit();
        pv.writeCr3(layout.swapperPgDir());
        if (layout.pge()) {
            pv.flushTlbKernel();
        } else {
            pv.flushTlbUser();
        }
    }

    /** {@code pagetable_init}, 2.6.21's or 2.6.23's. */
    void pagetableInit() {
        long pgdBase = layout.swapperPgDir();
        pages.set(pgdBase >>> PagingMode.PAGE_SHIFT, PageFrames.PAGETABLE);
        boolean v2623 = pv.kernel().hasAddressSpaceHooks();
        if (v2623) {
            pv.pagetableSetupStart(pgdBase);
            nativePagetableSetupStart(pgdBase);
        } else if (mode == PagingMode.PAE) {
            /* Init entries of the first-level page table to the zero page */
            for (int i = 0; i < mode.ptrsPerPgd(); i++) {
                pv.setPgd(pgdBase + (long) i * 8, tables.make(KernelLayout.EMPTY_ZERO_PAGE | EntryBits.PRESENT));
            }
        } else {
            pv.allocPd(pgdBase >>> PagingMode.PAGE_SHIFT);
        }
        kernelPhysicalMappingInit(pgdBase);

        /* Fixed mappings, only the page table structure has to be created */
        long pmdMask = ~(mode.pmdSize() - 1) & 0xFFFF_FFFFL;
        long vaddr = KernelLayout.fixmapStart(layout) & pmdMask;
        // 2.6.23's end in both kernels: 2.6.21's page_table_range_init(vaddr, 0, pgd_base) runs on to the
        // top of the address space, over a reserved top too, which the model does not follow
        long end = (layout.fixaddrTop() + mode.pmdSize() - 1) & pmdMask;
        pageTableRangeInit(vaddr, end, pgdBase);

        permanentKmapsInit(pgdBase);
        if (v2623) {
            pv.pagetableSetupDone(pgdBase);
        }
    }

    /**
     * {@code native_pagetable_setup_start} (2.6.23): PAE points the user entries at the zero page
     * ({@code set_pgd}) and clears the kernel's ({@code memset}, a no-op here: the model's
     * {@code swapper_pg_dir} starts empty, with no head.S tables in it); 2-level announces
     * {@code swapper_pg_dir}.
     */
    private void nativePagetableSetupStart(long pgdBase) {
        if (mode == PagingMode.PAE) {
            for (int i = 0; i < mode.userPtrsPerPgd(); i++) {
                pv.setPgd(pgdBase + (long) i * 8, tables.make(KernelLayout.EMPTY_ZERO_PAGE | EntryBits.PRESENT));
            }
        } else {
            pv.allocPd(pgdBase >>> PagingMode.PAGE_SHIFT);
        }
    }

    /**
     * {@code kernel_physical_mapping_init}: maps {@code max_low_pfn} frames at {@code PAGE_OFFSET}.
     * As in the kernel, the text test uses the address of the first frame of each pmd for every pte
     * of it.
     */
    void kernelPhysicalMappingInit(long pgdBase) {
        int es = mode.entryBytes();
        long pfn = 0;
        long maxLowPfn = layout.maxLowPfn();
        for (int pgdIdx = mode.pgdIndex(PagingMode.PAGE_OFFSET); pgdIdx < mode.ptrsPerPgd(); pgdIdx++) {
            long pmdTable = oneMdTableInit(pgdBase + (long) pgdIdx * es);
            if (pfn >= maxLowPfn) {
                continue;
            }
            for (int pmdIdx = 0; pmdIdx < mode.ptrsPerPmd() && pfn < maxLowPfn; pmdIdx++) {
                long pmd = pmdTable + (long) pmdIdx * es;
                long address = pfn * PagingMode.PAGE_SIZE + PagingMode.PAGE_OFFSET;
                /* Map with big pages if possible, otherwise create normal page tables. */
                if (layout.pse()) {
                    long address2 = (pfn + mode.ptrsPerPte() - 1) * PagingMode.PAGE_SIZE + PagingMode.PAGE_OFFSET
                            + PagingMode.PAGE_SIZE - 1;
                    boolean text = KernelLayout.isKernelText(address) || KernelLayout.isKernelText(address2);
                    pv.setPmd(pmd, tables.makeEntry(pfn, text ? prot.kernelLargeExec() : prot.kernelLarge()));
                    pfn += mode.ptrsPerPte();
                } else {
                    long pte = onePageTableInit(pmd) << PagingMode.PAGE_SHIFT;
                    long flags = KernelLayout.isKernelText(address) ? prot.kernelExec() : prot.kernel();
                    for (int pteOfs = 0; pteOfs < mode.ptrsPerPte() && pfn < maxLowPfn; pteOfs++, pfn++) {
                        pv.setPte(pte + (long) pteOfs * es, tables.makeEntry(pfn, flags));
                    }
                }
            }
        }
    }

    /**
     * {@code one_md_table_init(pgd)}: in PAE mode a bootmem pmd, announced with {@code alloc_pd} before
     * the {@code set_pgd} that links it; in 2-level mode the pgd entry itself.
     *
     * @return the physical address of the pmd table (2-level: of the pgd entry)
     */
    long oneMdTableInit(long pgdEntry) {
        if (mode != PagingMode.PAE) {
            return pgdEntry;
        }
        long pmdTable = bootmem.allocLowPage();
        pages.set(pmdTable, PageFrames.PAGETABLE);
        pv.allocPd(pmdTable);
        pv.setPgd(pgdEntry, tables.makeEntry(pmdTable, EntryBits.PRESENT));
        return pmdTable << PagingMode.PAGE_SHIFT;
    }

    /**
     * {@code one_page_table_init(pmd)}: if the pmd is empty, a bootmem pte page, announced with
     * {@code alloc_pt} before the {@code set_pmd} that links it.
     *
     * @return the pte page's frame
     */
    long onePageTableInit(long pmd) {
        long entry = tables.read(pmd);
        if (PageTables.pmdNone(entry)) {
            long pageTable = bootmem.allocLowPage();
            pages.set(pageTable, PageFrames.PAGETABLE);
            pv.allocPt(pageTable);
            pv.setPmd(pmd, tables.makeEntry(pageTable, EntryBits.PAGE_TABLE));
            return pageTable;
        }
        return tables.pfn(entry);
    }

    /**
     * {@code page_table_range_init(start, end, pgd_base)}: pte pages wherever they are missing in
     * {@code [start, end)} (end 0 means the top of the address space). {@code pgd_none} is always
     * false here (the pud, and in 2-level mode the pmd, are folded), so no pmd is allocated.
     */
    void pageTableRangeInit(long start, long end, long pgdBase) {
        long vaddr = start;
        int es = mode.entryBytes();
        int pmdIdx = mode.pmdIndex(vaddr);
        for (int pgdIdx = mode.pgdIndex(vaddr); pgdIdx < mode.ptrsPerPgd() && vaddr != end; pgdIdx++) {
            long pgdEntry = pgdBase + (long) pgdIdx * es;
            long pmdTable = mode.pmdFolded() ? pgdEntry : tables.read(pgdEntry) & mode.frameMask();
            for (; pmdIdx < mode.ptrsPerPmd() && vaddr != end; pmdIdx++) {
                long pmd = mode.pmdFolded() ? pgdEntry : pmdTable + (long) pmdIdx * es;
                if (PageTables.pmdNone(tables.read(pmd))) {
                    onePageTableInit(pmd);
                }
                vaddr = (vaddr + mode.pmdSize()) & 0xFFFF_FFFFL;
            }
            pmdIdx = 0;
        }
    }

    /** {@code permanent_kmaps_init}: the pte page of the persistent kmap range (CONFIG_HIGHMEM). */
    void permanentKmapsInit(long pgdBase) {
        long vaddr = KernelLayout.pkmapBase(layout);
        pageTableRangeInit(vaddr, vaddr + (long) PagingMode.PAGE_SIZE * KernelLayout.lastPkmap(mode), pgdBase);
    }
}
