package io.pvmm.guest.mm;

import io.pvmm.guest.arch.Smp;
import io.pvmm.guest.bugs.BugSites;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.PageFrames;

/**
 * {@code struct mmu_gather} ({@code asm-generic/tlb.h}, 2.6.21): with more than one CPU online, pages
 * unmapped or pte pages released during a teardown are gathered and freed only after the TLB flush
 * that guarantees no CPU still uses them — in batches of {@value #FREE_PTE_NR}, and at
 * {@link #finish()}. With one CPU online {@code tlb_gather_mmu} sets {@code tlb->nr = ~0U}, fast mode:
 * {@code tlb_remove_page} frees each page at once ({@code free_page_and_swap_cache}), so a pte page
 * reaches the free pool right after its {@code release_pt}, and the flush comes later, at
 * {@code tlb_finish_mmu}: no other CPU can hold a translation through it, and this one does not run
 * user code before the flush.
 *
 * <p>The flush is {@code tlb_flush(tlb)}, i386's {@code flush_tlb_mm(tlb->mm)} ({@link Smp}): the local
 * TLB is flushed (the {@code flush_tlb_user} hook) only {@code if (current->active_mm == mm)} — on SMP,
 * a CPU that only borrows the mm lazily (an exiting task's) does {@code leave_mm} instead — and every
 * other CPU in {@code cpu_vm_mask} takes an IPI and flushes itself. So the old address space torn down
 * by exec after it switched to the new one, or a failed fork's child, flushes nothing locally.
 */
public final class MmuGather {

    /** {@code FREE_PTE_NR}: pages gathered before a forced flush. */
    public static final int FREE_PTE_NR = 506;

    private final Smp smp;
    private final FreePool pool;
    private final PageFrames pages;
    private final Cpus cpus;
    private final MmStruct mm;
    private final boolean fullmm;
    private boolean fastMode;
    /** The gathered pages; grown on demand up to {@value #FREE_PTE_NR}, as most teardowns gather few. */
    private long[] batch = new long[16];
    private boolean[] isTable = new boolean[16];
    private int nr;
    private boolean needFlush;
    private final BugSites bugs;

    /**
     * {@code tlb_gather_mmu(mm, full_mm_flush)}.
     *
     * @param smp    the TLB flush ({@code flush_tlb_mm})
     * @param pool   where freed pages go
     * @param pages  frame metadata (reference counts)
     * @param cpus   the CPUs (how many are online)
     * @param mm     the address space being unmapped
     * @param fullmm whether the whole address space is going ({@code exit_mmap})
     */
    public MmuGather(Smp smp, FreePool pool, PageFrames pages, Cpus cpus, MmStruct mm, boolean fullmm) {
        this(smp, pool, pages, cpus, mm, fullmm, BugSites.NONE);
    }

    /**
     * {@code tlb_gather_mmu(mm, full_mm_flush)} in a guest that may commit bugs ({@code skip-flush}).
     *
     * @param smp       the TLB flush ({@code flush_tlb_mm})
     * @param pool      where freed pages go
     * @param pages     frame metadata (reference counts)
     * @param cpus      the CPUs (how many are online)
     * @param mm        the address space being unmapped
     * @param fullmm    whether the whole address space is going ({@code exit_mmap})
     * @param bugs      the guest bugs it commits
     */
    public MmuGather(Smp smp, FreePool pool, PageFrames pages, Cpus cpus, MmStruct mm, boolean fullmm, BugSites bugs) {
        this.bugs = bugs;
        this.smp = smp;
        this.pool = pool;
        this.pages = pages;
        this.cpus = cpus;
        this.mm = mm;
        this.fullmm = fullmm;
        this.fastMode = cpus.count() == 1; // tlb->nr = num_online_cpus() > 1 ? 0U : ~0U
    }

    /** @return {@code tlb_fast_mode(tlb)}: one CPU online, pages freed as they are removed */
    public boolean fastMode() {
        return fastMode;
    }

    /**
     * {@code tlb_gather_mmu} again after {@code unmap_vmas} finished a {@code ZAP_BLOCK_SIZE} block
     * with {@link #finish()}: the same per-CPU gather, empty, its mode decided anew.
     */
    public void restart() {
        nr = 0;
        needFlush = false;
        fastMode = cpus.count() == 1;
    }

    /** @return whether the whole address space is being torn down */
    public boolean fullmm() {
        return fullmm;
    }

    /** {@code tlb_remove_tlb_entry}: a pte was cleared, so the TLB must be flushed before the page is freed. */
    public void noteUnmapped() {
        needFlush = true;
    }

    /**
     * {@code tlb_remove_page} for a mapped page: its reference is dropped after the flush.
     *
     * @param pfn the page
     */
    public void removePage(long pfn) {
        add(pfn, false);
    }

    /**
     * {@code tlb_remove_page} for a pte page released by {@code __pte_free_tlb}: freed after the flush.
     *
     * @param pfn the pte page
     */
    public void removePageTable(long pfn) {
        add(pfn, true);
    }

    private void add(long pfn, boolean table) {
        needFlush = true;
        if (fastMode) {
            free(pfn, table); // free_page_and_swap_cache: no other CPU to wait for
            return;
        }
        if (nr == batch.length) {
            int grown = Math.min(FREE_PTE_NR, batch.length * 2);
            batch = java.util.Arrays.copyOf(batch, grown);
            isTable = java.util.Arrays.copyOf(isTable, grown);
        }
        batch[nr] = pfn;
        isTable[nr] = table;
        if (++nr == FREE_PTE_NR) {
            flushMmu();
        }
    }

    /** {@code tlb_flush_mmu}: flush the TLB ({@code flush_tlb_mm}), then, unless in fast mode, free what was gathered. */
    public void flushMmu() {
        if (!needFlush) {
            return;
        }
        needFlush = false;
        if (!bugs.commits(GuestBug.SKIP_FLUSH)) {
            smp.flushTlbMm(mm); // tlb_flush
        }
        for (int i = 0; i < nr; i++) {
            free(batch[i], isTable[i]);
        }
        nr = 0;
    }

    private void free(long pfn, boolean table) {
        if (table) {
            pages.clear(pfn, PageFrames.PAGETABLE);
            pool.free(pfn);
        } else if (!pages.test(pfn, PageFrames.RESERVED) && pages.put(pfn) == 0) {
            pool.free(pfn);
        }
    }

    /** {@code tlb_finish_mmu}: the last flush and free. */
    public void finish() {
        flushMmu();
    }
}
