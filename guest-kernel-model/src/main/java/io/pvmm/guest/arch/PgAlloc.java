package io.pvmm.guest.arch;

import io.pvmm.api.EntryBits;
import io.pvmm.guest.bugs.BugSites;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.bugs.Variants;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.PageFrames;
import io.pvmm.guest.mm.MmuGather;

/**
 * {@code include/asm-i386/pgalloc.h} with the page allocation hooks: linking a pte page into a pmd
 * ({@code alloc_pt} strictly before the {@code set_pmd}), and freeing one — through the mmu_gather
 * with {@code release_pt} first ({@code __pte_free_tlb}), or straight back with no hook
 * ({@code pte_free}, {@code pte_free_kernel}) for a page that lost the {@code __pte_alloc} race and
 * was never announced.
 */
public final class PgAlloc {

    private final Paravirt pv;
    private final PageTables tables;
    private final KernelStore store;
    private final FreePool pool;
    private final PageFrames pages;
    private final BugSites bugs;

    /**
     * Creates the pgalloc helpers.
     *
     * @param pv     paravirt wrappers
     * @param tables page-table accessors
     * @param store  the kernel's direct stores (for the {@code write-table-directly} bug)
     * @param pool   the page allocator
     * @param pages  frame metadata
     * @param bugs   the guest bugs it commits
     */
    public PgAlloc(Paravirt pv, PageTables tables, KernelStore store, FreePool pool, PageFrames pages, BugSites bugs) {
        this.pv = pv;
        this.tables = tables;
        this.store = store;
        this.pool = pool;
        this.pages = pages;
        this.bugs = bugs;
    }

    /**
     * {@code pmd_populate_kernel(mm, pmd, pte)}: {@code alloc_pt}, then {@code set_pmd(pmd,
     * _PAGE_TABLE + __pa(pte))}.
     *
     * @param pmdPa  the pmd entry
     * @param ptePfn the pte page
     */
    public void pmdPopulateKernel(long pmdPa, long ptePfn) {
        pv.allocPt(ptePfn);
        pv.setPmd(pmdPa, tables.makeEntry(ptePfn, EntryBits.PAGE_TABLE));
    }

    /**
     * {@code pmd_populate(mm, pmd, pte)}: {@code alloc_pt(page_to_pfn(pte))}, then {@code set_pmd}.
     * Called under {@code mm->page_table_lock}.
     *
     * @param pmdPa  the pmd entry
     * @param ptePfn the pte page
     */
    public void pmdPopulate(long pmdPa, long ptePfn) {
        pv.allocPt(ptePfn);
        long entry = tables.makeEntry(ptePfn, EntryBits.PAGE_TABLE);
        if (bugs.commits(GuestBug.WRITE_TABLE_DIRECTLY)) {
            Variants.writeTableDirectly(store::store, pmdPa, entry);
            return;
        }
        if (bugs.commits(GuestBug.STORE_TO_PINNED_DIRECTORY)) {
            Variants.storeToPinnedDirectory(pv::setPte, pmdPa, entry);
            return;
        }
        pv.setPmd(pmdPa, entry);
    }

    /**
     * {@code pte_free(page)} = {@code __free_page}: no hook, for a page never announced.
     *
     * @param pfn the pte page
     */
    public void pteFree(long pfn) {
        pages.clear(pfn, PageFrames.PAGETABLE);
        pool.free(pfn);
    }

    /**
     * {@code pte_free_kernel(pte)} = {@code free_page}: no hook.
     *
     * @param pfn the pte page
     */
    public void pteFreeKernel(long pfn) {
        pteFree(pfn);
    }

    /**
     * {@code __pte_free_tlb(tlb, pte)}: {@code release_pt}, then {@code tlb_remove_page} — the page is
     * freed when the gather flushes, after the TLB flush.
     *
     * @param tlb the teardown's gather
     * @param pfn the pte page, already unlinked by {@code pmd_clear}
     */
    public void pteFreeTlb(MmuGather tlb, long pfn) {
        if (bugs.commits(GuestBug.FREE_BEFORE_RELEASE)) {
            Variants.freeBeforeRelease(pfn, this::pteFree, pv::releasePt);
            return;
        }
        if (!bugs.commits(GuestBug.SKIP_RELEASE_PT)) pv.releasePt(pfn);
        tlb.removePageTable(pfn);
    }
}
