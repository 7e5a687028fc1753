package io.pvmm.guest.mm;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.KernelStore;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.arch.Paravirt;
import io.pvmm.guest.arch.Smp;

/**
 * {@code mm/mprotect.c}'s {@code change_protection}: the ptes of a range get a vma's new protection
 * ({@code change_pmd_range}, {@code change_pte_range}), in lazy MMU mode, then the TLB is flushed.
 */
public final class ChangeProtection {

    private static final long CHG_MASK = EntryBits.ACCESSED | EntryBits.DIRTY; // plus the frame bits

    private final PagingMode mode;
    private final Paravirt pv;
    private final PageTables tables;
    private final KernelStore store;
    private final Smp smp;
    private final PmdRange pmdRange;
    private final LazyMmu lazyMmu;

    /**
     * Creates mprotect's pte walk.
     *
     * @param mode   the paging mode
     * @param pv     paravirt wrappers
     * @param tables page-table accessors
     * @param store  the kernel's direct stores
     * @param cpus   the CPUs (lazy MMU mode)
     * @param smp    the flush ({@code flush_tlb_range})
     */
    public ChangeProtection(PagingMode mode, Paravirt pv, PageTables tables, KernelStore store, Cpus cpus, Smp smp) {
        this.smp = smp;
        this.mode = mode;
        this.pv = pv;
        this.tables = tables;
        this.store = store;
        this.pmdRange = new PmdRange(mode, tables);
        this.lazyMmu = new LazyMmu(pv, cpus);
    }

    /**
     * {@code change_protection}: each present pte of the range is taken with
     * {@code ptep_get_and_clear}, given the new protection ({@code pte_modify}) and stored back with
     * {@code set_pte_at}, in lazy MMU mode; then the TLB is flushed.
     *
     * @param mm      the address space
     * @param start   first address
     * @param end     end address
     * @param newProt the vma's new {@code vm_page_prot}
     */
    public void changeProtection(MmStruct mm, long start, long end, long newProt) {
        pmdRange.walkPresent(mm.pgd(), start, end, (pmdPa, pmd, addr, next) -> {
            changePteRange(mm, pmd, addr, next, newProt);
            return next;
        });
        smp.flushTlbRange(mm, start, end);
    }

    /** {@code change_pte_range}: under the pte lock, in lazy MMU mode. */
    private void changePteRange(MmStruct mm, long pmd, long addr, long end, long newProt) {
        mm.pageTableLock().lock();
        try {
            boolean direct = store.writable(tables.pfn(pmd)); // one direct-map walk per pte page
            lazyMmu.enter();
            try {
                for (long a = addr; a < end; a += PagingMode.PAGE_SIZE) {
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
                lazyMmu.leave();
            }
        } finally {
            mm.pageTableLock().unlock();
        }
    }
}
