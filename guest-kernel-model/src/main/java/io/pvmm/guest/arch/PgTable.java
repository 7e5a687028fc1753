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
import java.util.HashSet;
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
 *   <li><b>PAE, unshared kernel pmd</b> (2.6.23's {@code SHARED_KERNEL_PMD == 0}, for Xen; 2.6.21 has
 *       no such switch, so a backend that requires it requires 2.6.23): each pgd owns a page-sized root
 *       and a copy of swapper's kernel pmd, announced like the user pmds. As 2.6.23's
 *       {@code arch/i386/mm/pgtable.c} has it: the constructor clears the user entries, then takes
 *       {@code pgd_lock} for {@code pgd_list_add} alone; {@code pgd_alloc}'s {@code pmd_cache_alloc}
 *       copies swapper's kernel pmd into a fresh page without the lock, then {@code alloc_pd} and
 *       {@code set_pgd} link it; {@code pgd_free} releases and frees all four pmds and leaves the root
 *       on the list; the destructor takes it off, when the cache destroys the object.</li>
 * </ul>
 *
 * <p>In that last shape 2.6.23 lists a root before {@code pgd_alloc} links its pmds and keeps it listed
 * after {@code pgd_free} has given them back, so its {@code set_pmd_pte} and {@code vmalloc_sync_all}
 * would write through empty or stale root entries (into pages since reused: a latent bug, reached in
 * 2.6.23 only by a walk while a root is being built or is cached, which the model's workloads make
 * often). The model keeps the list exactly and marks such a root, under {@code pgd_lock}, as not
 * {@linkplain #walkable walkable}: the walkers pass it by.
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
    /** Unshared PAE roots on {@code pgd_list} whose pmds are not linked (model bookkeeping, under pgd_lock). */
    private final Set<Long> unlinked = new HashSet<>();
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
        pgdCache = new SlabCache("pgd", pgdSize, this::pgdCtor, listed ? this::pgdDtor : null, pool, pages,
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
                // 2.6.23: memset(pgd, 0, USER_PTRS_PER_PGD*sizeof(pgd_t)) on a page quicklist_alloc took
                // zeroed (__GFP_ZERO); the model's slab page is not, so the kernel entry is cleared as well
                store.clear(pgd, mode.ptrsPerPgd());
                pgdLock.lock();
                try {
                    pgdList.add(pgd);
                    unlinked.add(pgd); // pgd_alloc links its pmds next
                } finally {
                    pgdLock.unlock();
                }
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

    /**
     * {@code pgd_dtor}: 2-level, {@code release_pd} then {@code pgd_list_del}; never called with a shared
     * PAE kernel pmd. With an unshared one, 2.6.23's destructor calls {@code paravirt_release_pd} on the
     * root as well, which {@code pgd_alloc} never announced (Xen's {@code release_pd} is
     * {@code paravirt_nop}); the model leaves that unmatched call out and only leaves the list.
     */
    void pgdDtor(long pgd) {
        if (mode == PagingMode.TWO_LEVEL) {
            pv.releasePd(pfn(pgd));
        }
        pgdLock.lock();
        try {
            pgdList.remove(pgd);
            unlinked.remove(pgd);
        } finally {
            pgdLock.unlock();
        }
    }

    /** Marks an unshared PAE root as linked (its four pmds set) or not, for the walkers. */
    private void markLinked(long pgd, boolean linked) {
        pgdLock.lock();
        try {
            if (linked) {
                unlinked.remove(pgd);
            } else {
                unlinked.add(pgd);
            }
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
            } else {
                pv.allocPd(pfn(pmd));
            }
            pv.setPgd(entryPa, tables.make(1 + pmd));
        }
        if (i == n) {
            if (!layout.sharedKernelPmd()) {
                markLinked(pgd, true);
            }
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

    /**
     * {@code pmd_cache_alloc(idx)} for {@code idx >= USER_PTRS_PER_PGD} (2.6.23): a fresh page,
     * {@code __get_free_page(GFP_KERNEL)}, into which swapper's kernel pmd is copied
     * ({@code memcpy(pmd, pgd_page_vaddr(swapper_pg_dir[idx]), sizeof(pmd_t) * PTRS_PER_PMD)}), without
     * {@code pgd_lock}.
     */
    private long allocKernelPmdPage() {
        long pfn = pool.alloc(Gfp.KERNEL);
        if (pfn == FreePool.NO_FRAME) {
            return FreePool.NO_FRAME;
        }
        pages.set(pfn, PageFrames.PAGETABLE);
        long pmd = pfn << PagingMode.PAGE_SHIFT;
        long swapperKernelPmd = tables.read(layout.swapperPgDir() + (long) mode.userPtrsPerPgd() * 8) & mode.frameMask();
        memory.copyEntries(swapperKernelPmd, pmd, mode.ptrsPerPmd()); // a fresh page: writable
        return pmd;
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
                markLinked(pgd, false); // before its pmds go back
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
     * Whether a walker of {@code pgd_list} ({@code set_pmd_pte}, {@code vmalloc_sync_all}) writes
     * through this root: every root in 2-level mode; with an unshared PAE kernel pmd, a root whose
     * four pmds are linked, not one between {@code pgd_ctor} and the end of {@code pgd_alloc}, or
     * cached after {@code pgd_free} (see the class comment).
     *
     * @param root a root on the list
     * @return whether to walk it
     * @throws IllegalStateException if the caller does not hold {@code pgd_lock}
     */
    public boolean walkable(long root) {
        if (!pgdLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("pgd_list walked without pgd_lock");
        }
        return !unlinked.contains(root);
    }

    /**
     * The roots on {@code pgd_list} a walker writes through ({@link #walkable}), taken under
     * {@code pgd_lock}, for use after the unlock.
     *
     * @return those roots now, in list order
     */
    public List<Long> walkableSnapshot() {
        pgdLock.lock();
        try {
            List<Long> out = new ArrayList<>();
            for (long root : pgdListLocked()) {
                if (walkable(root)) {
                    out.add(root);
                }
            }
            return out;
        } finally {
            pgdLock.unlock();
        }
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
