package io.pvmm.guest.mm;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.KernelStore;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.arch.Paravirt;
import io.pvmm.guest.arch.PgAlloc;
import io.pvmm.guest.bugs.BugSites;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.bugs.Variants;
import io.pvmm.guest.memory.PageFrames;
import java.util.List;

/**
 * {@code mm/memory.c}'s teardown of user page tables, the two halves of {@code unmap_region} and
 * {@code exit_mmap}: {@code unmap_vmas} clears the ptes of a range and gathers their pages
 * ({@code zap_pte_range}), then {@code free_pgtables} unlinks and frees the pte pages no vma needs
 * any more ({@code free_pgd_range}). Both feed one {@link MmuGather}.
 */
public final class Teardown {

    /**
     * {@code ZAP_BLOCK_SIZE} without {@code CONFIG_PREEMPT} (the i386 default): {@code unmap_vmas}
     * finishes the gather and starts a new one after this much work, a present pte counting a page and
     * an empty pte or pmd one byte.
     */
    public static final long ZAP_BLOCK_SIZE = 1024L * PagingMode.PAGE_SIZE;

    private final PagingMode mode;
    private final Paravirt pv;
    private final PageTables tables;
    private final KernelStore store;
    private final PgAlloc pgAlloc;
    private final PageFrames pages;
    private final PmdRange pmdRange;
    private final LazyMmu lazyMmu;
    private final BugSites bugs;

    /**
     * Creates the teardown.
     *
     * @param mode    the paging mode
     * @param pv      paravirt wrappers
     * @param tables  page-table accessors
     * @param store   the kernel's direct stores
     * @param pgAlloc {@code __pte_free_tlb}
     * @param pages   frame metadata
     * @param cpus    the CPUs (lazy MMU mode)
     * @param bugs    the guest bugs it commits
     */
    public Teardown(PagingMode mode, Paravirt pv, PageTables tables, KernelStore store, PgAlloc pgAlloc, PageFrames pages,
                    Cpus cpus, BugSites bugs) {
        this.mode = mode;
        this.pv = pv;
        this.tables = tables;
        this.store = store;
        this.pgAlloc = pgAlloc;
        this.pages = pages;
        this.pmdRange = new PmdRange(mode, tables);
        this.lazyMmu = new LazyMmu(pv, cpus);
        this.bugs = bugs;
    }

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
        long[] zapWork = {ZAP_BLOCK_SIZE};
        PmdRange.Step zapPmd = (pmdPa, pmd, addr, next) -> {
            long reached = zapPteRange(tlb, mm, pmd, addr, next, zapWork);
            endOfBlock(tlb, zapWork);
            return reached;
        };
        PmdRange.Step emptyPmd = (pmdPa, pmd, addr, next) -> {
            zapWork[0]--;
            endOfBlock(tlb, zapWork);
            return next;
        };
        for (Vma vma : vmas) {
            pmdRange.walk(mm.pgd(), Math.max(start, vma.start()), Math.min(end, vma.end()), zapPmd, emptyPmd);
        }
    }

    /** When the block's work is spent: {@code tlb_finish_mmu}, a chance to reschedule, {@code tlb_gather_mmu}. */
    private static void endOfBlock(MmuGather tlb, long[] zapWork) {
        if (zapWork[0] <= 0) {
            tlb.finish();
            tlb.restart();
            zapWork[0] = ZAP_BLOCK_SIZE;
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
            lazyMmu.enter();
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
                lazyMmu.leave();
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
            if (bugs.commits(GuestBug.CLEAR_PMD_DIRECTLY)) {
                Variants.clearPmdDirectly(store::store, pmdPa);
            } else {
                pv.pmdClear(pmdPa);
            }
            pgAlloc.pteFreeTlb(tlb, pte);
            mm.nrPtes().decrementAndGet();
        }
    }
}
