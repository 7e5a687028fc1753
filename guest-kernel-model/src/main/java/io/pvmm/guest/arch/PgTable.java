package io.pvmm.guest.arch;

import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.bugs.BugSites;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.bugs.Variants;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.Gfp;
import io.pvmm.guest.memory.PageFrames;
import io.pvmm.guest.hw.PhysicalMemory;
import io.pvmm.guest.memory.SlabCache;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code arch/i386/mm/pgtable.c} (Linux 2.6.21 with the page allocation hooks): the pgd and pmd slab
 * caches with their constructors and destructors, {@code pgd_list} and {@code pgd_lock},
 * {@code pgd_alloc}/{@code pgd_free}, and the pte page allocators.
 *
 * <p>Three shapes, by paging mode and platform:
 * <ul>
 *   <li><b>2-level</b>: pgds are page-sized slab objects; {@code pgd_ctor} clears the user half,
 *       clones the kernel half from {@code swapper_pg_dir}, calls {@code alloc_pd_clone} and joins
 *       {@code pgd_list}, all under {@code pgd_lock}; {@code pgd_dtor} calls {@code release_pd}, then
 *       leaves the list. A freed pgd stays constructed, announced and listed until the cache shrinks.</li>
 *   <li><b>PAE, shared kernel pmd</b> (2.6.21): pgds are 32-byte objects whose constructor clones the
 *       one kernel entry, with no lock, no list and no hook; {@code pgd_alloc} adds 3 user pmds from
 *       {@code pmd_cache}, each announced with {@code alloc_pd} before its {@code set_pgd}.</li>
 *   <li><b>PAE, unshared kernel pmd</b> (2.6.22's {@code SHARED_KERNEL_PMD == 0}, for Xen): each pgd
 *       owns a page-sized root and a copy of swapper's kernel pmd, announced like the user pmds, and
 *       is on {@code pgd_list} while it is in use. The model makes the copy, announces it, links it
 *       and joins the list in one {@code pgd_lock} section, and leaves the list in {@code pgd_free}
 *       before the pmds are released: a cached root that has given its pmds back must not be on the
 *       list that {@code set_pmd_pte} and {@code vmalloc_sync_all} write through.</li>
 * </ul>
 */
public final class PgTable {

    private final PagingMode mode;
    private final GuestLayout layout;
    private final PhysicalMemory memory;
    private final FreePool pool;
    private final PageFrames pages;
    private final Paravirt pv;
    private final PageTables tables;
    private final KernelStore store;
    private final GuestConfig config;
    private final BugSites bugs;
    private final boolean listed;
    private final ReentrantLock pgdLock = new ReentrantLock();
    private final PgdList pgdList = new PgdList();
    private final Set<Long> pgdListView = Collections.unmodifiableSet(pgdList);
    private SlabCache pgdCache;
    private SlabCache pmdCache;

    /**
     * Creates the pgtable code over the guest's memory.
     *
     * @param layout the guest's layout
     * @param memory physical memory
     * @param pool   the page allocator
     * @param pages  frame metadata
     * @param pv     paravirt wrappers
     * @param tables page-table accessors
     * @param store  the kernel's direct stores
     * @param config guest settings
     * @param bugs   the guest bugs it commits
     */
    public PgTable(GuestLayout layout, PhysicalMemory memory, FreePool pool, PageFrames pages, Paravirt pv,
                   PageTables tables, KernelStore store, GuestConfig config, BugSites bugs) {
        this.mode = layout.mode();
        this.layout = layout;
        this.memory = memory;
        this.pool = pool;
        this.pages = pages;
        this.pv = pv;
        this.tables = tables;
        this.store = store;
        this.config = config;
        this.bugs = bugs;
        this.listed = mode == PagingMode.TWO_LEVEL || !layout.sharedKernelPmd();
    }

    /**
     * {@code pgtable_cache_init} (init.c): creates {@code pmd_cache} (PAE) and {@code pgd_cache}
     * with the constructors and destructors of this file.
     */
    public void pgtableCacheInit() {
        if (mode == PagingMode.PAE) {
            pmdCache = new SlabCache("pmd", PagingMode.PAGE_SIZE, this::pmdCtor, null, pool, pages, config.vcpus(), VcpuThread::currentId);
        }
        int pgdSize = layout.sharedKernelPmd() ? mode.pgdBytes() : PagingMode.PAGE_SIZE;
        pgdCache = new SlabCache("pgd", pgdSize, this::pgdCtor, mode == PagingMode.TWO_LEVEL ? this::pgdDtor : null, pool, pages,
                config.vcpus(), VcpuThread::currentId);
    }

    /** {@code pmd_ctor}: {@code memset(pmd, 0, PTRS_PER_PMD*sizeof(pmd_t))}. */
    void pmdCtor(long pmdPa) {
        memory.traps().clearPage(pmdPa >>> PagingMode.PAGE_SHIFT);
    }

    /** {@code pgd_ctor}: runs when the slab constructs a pgd object, not on every {@code pgd_alloc}. */
    void pgdCtor(long pgd) {
        if (mode == PagingMode.PAE) {
            if (layout.sharedKernelPmd()) {
                cloneKernelHalf(pgd); // no lock, no list, no hook
            } else {
                store.clear(pgd, mode.ptrsPerPgd()); // pgd_alloc links all four pmds
            }
            return;
        }
        store.clear(pgd, mode.userPtrsPerPgd());
        if (bugs.commits(GuestBug.CLONE_OUTSIDE_LOCK)) {
            Variants.cloneOutsideLock(pgd, this::cloneKernelHalf, this::allocPdClone, this::pgdListAddLocked);
            return;
        }
        pgdLock.lock();
        try {
            cloneKernelHalf(pgd);
            /* must happen under lock */
            allocPdClone(pgd);
            pgdList.add(pgd);
        } finally {
            pgdLock.unlock();
        }
    }

    /** {@code clone_pgd_range(pgd + USER_PTRS_PER_PGD, swapper_pg_dir + USER_PTRS_PER_PGD, KERNEL_PGD_PTRS)}. */
    private void cloneKernelHalf(long pgd) {
        int user = mode.userPtrsPerPgd();
        int es = mode.entryBytes();
        store.copy(layout.swapperPgDir() + (long) user * es, pgd + (long) user * es, mode.kernelPgdPtrs());
    }

    /** {@code paravirt_alloc_pd_clone(__pa(pgd) >> PAGE_SHIFT, __pa(swapper_pg_dir) >> PAGE_SHIFT, USER_PTRS_PER_PGD, KERNEL_PGD_PTRS)}. */
    private void allocPdClone(long pgd) {
        int user = mode.userPtrsPerPgd();
        pv.allocPdClone(pfn(pgd), pfn(layout.swapperPgDir()), user, mode.ptrsPerPgd() - user);
    }

    /** {@code pgd_list_add} under {@code pgd_lock}. */
    private void pgdListAddLocked(long pgd) {
        pgdLock.lock();
        try {
            pgdList.add(pgd);
        } finally {
            pgdLock.unlock();
        }
    }

    /** {@code pgd_dtor}: never called when {@code PTRS_PER_PMD > 1}. */
    void pgdDtor(long pgd) {
        pv.releasePd(pfn(pgd));
        pgdLock.lock();
        try {
            pgdList.remove(pgd);
        } finally {
            pgdLock.unlock();
        }
    }

    /**
     * {@code pgd_alloc(mm)}: a root for a new address space, with its user pmds in PAE mode.
     *
     * @return the root's physical address, or {@link FreePool#NO_FRAME} if memory ran out (every pmd
     *         announced so far has been released and freed)
     */
    public long pgdAlloc() {
        long pgd = pgdCache.alloc();
        if (mode == PagingMode.TWO_LEVEL || pgd == FreePool.NO_FRAME) {
            return pgd;
        }
        int user = mode.userPtrsPerPgd();
        int n = layout.sharedKernelPmd() ? user : mode.ptrsPerPgd();
        int i;
        for (i = 0; i < n; ++i) {
            long pmd = i < user ? pmdCache.alloc() : allocKernelPmdPage();
            if (pmd == FreePool.NO_FRAME) {
                break;
            }
            long entryPa = pgd + (long) i * 8;
            if (i < user) {
                if (!bugs.commits(GuestBug.MISSING_ALLOC_PD)) pv.allocPd(pfn(pmd));
                pv.setPgd(entryPa, tables.make(1 + pmd));
            } else {
                linkKernelPmd(pgd, entryPa, pmd);
            }
        }
        if (i == n) {
            return pgd;
        }
        // out_oom:
        for (i--; i >= 0; i--) {
            long pmd = tables.read(pgd + (long) i * 8) & mode.frameMask();
            pv.releasePd(pfn(pmd));
            freePmd(pmd, i);
        }
        pgdCache.free(pgd);
        return FreePool.NO_FRAME;
    }

    private long allocKernelPmdPage() {
        long pfn = pool.alloc(Gfp.KERNEL);
        if (pfn == FreePool.NO_FRAME) {
            return FreePool.NO_FRAME;
        }
        pages.set(pfn, PageFrames.PAGETABLE);
        return pfn << PagingMode.PAGE_SHIFT;
    }

    /** Unshared kernel pmd: copy swapper's, announce, link and list in one pgd_lock section. */
    private void linkKernelPmd(long pgd, long entryPa, long pmd) {
        long swapperKernelPmd = tables.read(layout.swapperPgDir() + (long) mode.userPtrsPerPgd() * 8) & mode.frameMask();
        pgdLock.lock();
        try {
            memory.copyEntries(swapperKernelPmd, pmd, mode.ptrsPerPmd()); // a fresh page: writable
            pv.allocPd(pfn(pmd));
            pv.setPgd(entryPa, tables.make(1 + pmd));
            pgdList.add(pgd);
        } finally {
            pgdLock.unlock();
        }
    }

    /**
     * {@code pgd_free(pgd)}: in PAE mode releases and frees the pmds; the root goes back to
     * {@code pgd_cache}, still constructed ("in the non-PAE case, free_pgtables() clears user pgd
     * entries").
     *
     * @param pgd the root's physical address
     */
    public void pgdFree(long pgd) {
        if (mode == PagingMode.PAE) {
            int n = layout.sharedKernelPmd() ? mode.userPtrsPerPgd() : mode.ptrsPerPgd();
            if (!layout.sharedKernelPmd()) {
                pgdLock.lock();
                try {
                    pgdList.remove(pgd);
                } finally {
                    pgdLock.unlock();
                }
            }
            /* in the PAE case user pgd entries are overwritten before usage */
            for (int i = 0; i < n; ++i) {
                long pmd = tables.read(pgd + (long) i * 8) & mode.frameMask();
                pv.releasePd(pfn(pmd));
                freePmd(pmd, i);
            }
        }
        if (bugs.commits(GuestBug.LEAK_PGD)) return;
        pgdCache.free(pgd);
    }

    private void freePmd(long pmd, int index) {
        if (index < mode.userPtrsPerPgd()) {
            pmdCache.free(pmd);
        } else {
            pages.clear(pfn(pmd), PageFrames.PAGETABLE);
            pool.free(pfn(pmd));
        }
    }

    /**
     * {@code pte_alloc_one} / {@code pte_alloc_one_kernel}: a zeroed lowmem page for a pte page
     * ({@code GFP_KERNEL|__GFP_REPEAT|__GFP_ZERO}; no {@code CONFIG_HIGHPTE}).
     *
     * @return the frame, or {@link FreePool#NO_FRAME}
     */
    public long pteAllocOne() {
        long pfn = pool.alloc(Gfp.KERNEL_ZERO);
        if (pfn != FreePool.NO_FRAME) {
            pages.set(pfn, PageFrames.PAGETABLE);
        }
        return pfn;
    }

    /**
     * Shrinks {@code pgd_cache} and {@code pmd_cache} ({@code kmem_cache_shrink}), running
     * {@code pgd_dtor} on every object of every wholly free pgd slab.
     *
     * @return slab pages freed
     */
    public int shrinkCaches() {
        int n = pgdCache.shrink();
        if (pmdCache != null) {
            n += pmdCache.shrink();
        }
        return n;
    }

    /**
     * {@code cache_reap} on the calling CPU for the caches of this file, run when the CPU's reap timer
     * fires: {@code pgd_cache}, then {@code pmd_cache}, the order of {@code cache_chain}, to whose head
     * {@code kmem_cache_create} adds each new cache ({@code pgtable_cache_init} creates pmd first).
     *
     * @param jiffies the calling CPU's guest time
     * @return slab pages freed
     */
    public int cacheReap(long jiffies) {
        int n = pgdCache.cacheReap(jiffies);
        return pmdCache == null ? n : n + pmdCache.cacheReap(jiffies);
    }

    /** @return {@code pgd_lock} */
    public ReentrantLock pgdLock() {
        return pgdLock;
    }

    /**
     * {@code pgd_list} itself, read-only, for a walk under {@link #pgdLock()} ({@code set_pmd_pte},
     * {@code vmalloc_sync_all}): no copy, as the kernel walks its list in place. Every change to the
     * list is made under the lock, so the view must not be kept or walked past the unlock; take
     * {@link #pgdListSnapshot()} for that.
     *
     * @return a read-only view of the roots on the list, in list order
     * @throws IllegalStateException if the caller does not hold {@code pgd_lock}
     */
    public Set<Long> pgdListLocked() {
        if (!pgdLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("pgd_list walked without pgd_lock");
        }
        return pgdListView;
    }

    /**
     * A copy of {@code pgd_list} taken under {@code pgd_lock}, for use after the unlock.
     *
     * @return the roots on the list now
     */
    public List<Long> pgdListSnapshot() {
        pgdLock.lock();
        try {
            return new ArrayList<>(pgdListLocked());
        } finally {
            pgdLock.unlock();
        }
    }

    /** @return whether this guest keeps {@code pgd_list} (2-level, or PAE with unshared kernel pmds) */
    public boolean usesPgdList() {
        return listed;
    }

    /** @return {@code pgd_cache} */
    public SlabCache pgdCache() {
        return pgdCache;
    }

    /** @return {@code pmd_cache}, or null in 2-level mode */
    public SlabCache pmdCache() {
        return pmdCache;
    }

    private static long pfn(long pa) {
        return pa >>> PagingMode.PAGE_SHIFT;
    }

}
