package io.pvmm.backend.vmi;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hypervisor half of VMI: one {@link Shadow} per typed guest frame, kept equal to the guest's
 * table translated through the {@link P2m}. Mirrors the ROM calls {@code vmi.c} makes:
 * {@link #allocatePage} and {@link #allocateClone} ({@code allocate_page}, with and without
 * {@code VMI_PAGE_CLONE}), {@link #releasePage} ({@code release_page}), {@link #setPte}
 * ({@code set_pte}: store the entry and follow it) and {@link #updatePte} ({@code update_pte}:
 * re-read an entry the guest changed in place). Each checks the guest's page types first
 * ({@link PageTypeChecker}), raising every violation before changing anything.
 *
 * <p><b>Threading:</b> calls on different frames run concurrently. A frame's type, its shadow and the
 * guest store that goes with a write change together under the frame's lock, one of
 * {@value #STRIPES} striped monitors; a clone takes the new root's and the source's locks in stripe
 * order. The guest orders writes to one entry with its own locks, as on hardware.
 */
final class ShadowPager {

    /** How many striped locks guard the frames. */
    static final int STRIPES = 256;

    private final PagingMode mode;
    private final GuestMemory memory;
    private final P2m p2m;
    private final PageTypeChecker types;
    private final Violations violations;
    private final VmiCounters counters;
    private final int pae;
    private final int entryShift;
    private final Shadow[] shadows;
    private final Set<Shadow> live = ConcurrentHashMap.newKeySet();
    private final Object[] locks = new Object[STRIPES];
    private final ShadowLinks links;
    private final LoadedRoots loaded;

    /**
     * Creates the pager with no shadow.
     *
     * @param mode       the guest's paging mode
     * @param memory     the guest's memory
     * @param p2m        the pfn-to-mfn map
     * @param types      the guest's page types
     * @param violations where broken rules go
     * @param counters   the counters
     * @param vcpus      the guest's vCPUs, each with its CR3
     */
    ShadowPager(PagingMode mode, GuestMemory memory, P2m p2m, PageTypeChecker types, Violations violations, VmiCounters counters,
            int vcpus) {
        this.mode = mode;
        this.memory = memory;
        this.p2m = p2m;
        this.types = types;
        this.violations = violations;
        this.counters = counters;
        this.pae = mode == PagingMode.PAE ? PageTypeChecker.PAE : 0;
        this.entryShift = Integer.numberOfTrailingZeros(mode.entryBytes());
        this.shadows = new Shadow[Math.toIntExact(memory.frames())];
        this.links = new ShadowLinks(mode, p2m, memory.frames());
        this.loaded = new LoadedRoots(mode, memory, vcpus);
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // allocate_page / release_page
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code allocate_page(pfn, VMI_PAGE_L1 | VMI_PAGE_L2, 0, 0, 0)}: types the frame and builds its
     * shadow from the frame's current contents. {@code VMI_PAGE_ZEROED} is not trusted: a split
     * large page and {@code swapper_pg_dir} are not zero when announced.
     *
     * @param pfn   the frame
     * @param level {@link PageTypeChecker#L1} or {@link PageTypeChecker#L2}
     */
    void allocatePage(long pfn, int level) {
        int type = level | pae;
        synchronized (lock(pfn)) {
            checkNotStillLinked(pfn);
            types.setPageType(pfn, type); // alloc-of-typed-frame
            Shadow s = new Shadow(pfn, type, mode, Shadow.NO_SOURCE, 0, 0);
            fillFromGuest(s, 0, s.size());
            install(s);
        }
    }

    /**
     * {@code allocate_page(pfn, VMI_PAGE_L2 | VMI_PAGE_CLONE, clonepfn, start, count)}: types the new
     * root, zeroes its shadow and copies the clone source's <em>shadow</em> entries
     * {@code [start, start + count)}. The guest's copy of those entries is never read: under
     * {@code pgd_lock} it cannot differ from the source's. Entries outside the cloned range are
     * assumed empty, as the user part must be.
     *
     * @param pfn      the new root
     * @param clonePfn the clone source, which must be a live L2
     * @param start    the first cloned entry
     * @param count    how many entries
     */
    void allocateClone(long pfn, long clonePfn, int start, int count) {
        int entries = mode.entriesPerFrame();
        if (start < 0 || count < 0 || start > entries - count) {
            throw new IllegalArgumentException("clone range [" + start + ", " + start + "+" + count
                    + ") does not fit a table of " + entries + " entries");
        }
        int type = PageTypeChecker.L2 | pae;
        Object a = lock(pfn);
        Object b = lock(clonePfn);
        Object first = stripe(pfn) <= stripe(clonePfn) ? a : b;
        Object second = first == a ? b : a;
        synchronized (first) {
            synchronized (second) {
                cloneLocked(pfn, clonePfn, start, count, type);
            }
        }
    }

    private void cloneLocked(long pfn, long clonePfn, int start, int count, int type) {
        checkNotStillLinked(pfn);
        types.checkSetPageType(pfn, type); // alloc-of-typed-frame
        boolean inMemory = clonePfn >= 0 && clonePfn < shadows.length;
        int sourceType = inMemory ? types.typeOf(clonePfn) : PageTypeChecker.NORMAL;
        Shadow source = inMemory ? shadows[(int) clonePfn] : null;
        boolean liveSource = source != null && (sourceType & PageTypeChecker.L2) != 0 && (sourceType & PageTypeChecker.PAE) == pae;
        if (!liveSource) {
            violations.raise(VmiRule.CLONE_SOURCE_NOT_L2, clonePfn,
                    "allocPdClone of frame 0x" + Long.toHexString(pfn) + " from a frame that is not a page directory",
                    "type " + PageTypeChecker.describe(type), "type " + PageTypeChecker.describe(sourceType));
        }
        for (int i = 0; i < start; i++) {
            long e = memory.readEntry(pfn, i);
            if (e != 0) {
                violations.raise(VmiRule.CLONE_USER_PART_NOT_EMPTY, pfn,
                        "allocPdClone of a root whose user part is not empty",
                        "entries [0, " + start + ") zero", "entry " + i + " = 0x" + Long.toHexString(e));
                break;
            }
        }
        types.assign(pfn, type);
        Shadow s = new Shadow(pfn, type, mode, clonePfn, start, count);
        if (liveSource) {
            for (int i = start; i < start + count; i++) {
                store(s, i, source.get(i));
            }
            counters.cloned(count);
        } else {
            fillFromGuest(s, start, start + count); // recorded violation: the best a source-less clone can do
            counters.cloned(0);
        }
        install(s);
    }

    /**
     * {@code release_page(pfn, VMI_PAGE_L1 | VMI_PAGE_L2)}, then {@code set_page_type(pfn, NORMAL)}:
     * drops the shadow; the frame becomes NORMAL. The frame must be typed at that level, must not
     * be in the guest's free pool yet, and a page directory must not be loaded by any vCPU. A pte
     * page still linked by live shadow page directories is noted ({@link ShadowLinks#released}).
     *
     * @param pfn   the frame
     * @param level {@link PageTypeChecker#L1} or {@link PageTypeChecker#L2}
     */
    void releasePage(long pfn, int level) {
        synchronized (lock(pfn)) {
            int current = types.typeOf(pfn);
            if (current != PageTypeChecker.NORMAL) {
                types.checkReleaseLevel(pfn, level);
                if (memory.isFree(pfn)) {
                    violations.raise(VmiRule.RELEASE_OF_FREE_FRAME, pfn,
                            "release of a " + PageTypeChecker.describe(current) + " whose frame is already in the guest's free pool",
                            "a frame in use", "a free frame");
                }
                int cpu = (current & PageTypeChecker.L2) != 0 ? loaded.loadedBy(pfn) : -1;
                if (cpu >= 0) {
                    violations.raise(VmiRule.RELEASE_OF_LOADED_ROOT, pfn,
                            "release of a " + PageTypeChecker.describe(current) + " that vCPU " + cpu + " has loaded"
                                    + (pae != 0 ? " (a pmd its PDPT names)" : " in CR3"),
                            "a table no vCPU has loaded", "loaded by vCPU " + cpu);
                }
            }
            types.setPageType(pfn, PageTypeChecker.NORMAL); // release-of-untyped-frame
            Shadow old = shadows[(int) pfn];
            if (old != null) {
                shadows[(int) pfn] = null;
                live.remove(old);
                counters.shadowDropped();
                if ((old.type() & PageTypeChecker.L2) != 0) {
                    links.dropped(old);
                }
            }
            links.released(pfn);
        }
    }

    /** A frame released while shadow page directories linked it is announced again while they still do. */
    private void checkNotStillLinked(long pfn) {
        if (links.isStillLinked(pfn)) {
            violations.raise(VmiRule.RELEASE_OF_LINKED_TABLE, pfn,
                    "a frame released while live page directories linked it is announced again, still linked",
                    "no shadow entry linking the frame", links.linksTo(pfn) + " shadow entries linking it");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // CR3 and PAE roots
    // ---------------------------------------------------------------------------------------------

    /**
     * A CR3 load: the vCPU's root, and in PAE mode the pmds its PDPT names now.
     *
     * @param cpu   the vCPU
     * @param pgdPa the root
     */
    void loadCr3(int cpu, long pgdPa) {
        loaded.load(cpu, pgdPa);
    }

    /**
     * {@code set_pte(pte, pudp, VMI_PAGE_PDP)} in PAE mode ({@code vmi_set_pud}): the PDPT is not a
     * tracked frame (several share a page), so the entry is stored as given; once boot is over a
     * present entry must name a pmd announced with {@code allocPd}.
     *
     * @param entryPa the entry's physical address
     * @param value   the new entry
     * @param what    the hook, for messages
     * @param batch   the vCPU's lazy batch, or null to apply at once
     */
    void setPud(long entryPa, long value, String what, LazyQueue.Batch batch) {
        if (types.bootAllocationsApplied() && EntryBits.isPresent(value)) {
            long pmd = mode.entryPfn(value);
            int type = typeOf(pmd);
            if ((type & PageTypeChecker.L2) == 0) {
                violations.raise(VmiRule.LINK_TO_UNANNOUNCED_PMD, pmd,
                        what + " links frame 0x" + Long.toHexString(pmd) + " from a PAE root, which was never announced as a pmd",
                        "type " + PageTypeChecker.describe(PageTypeChecker.L2 | pae), "type " + PageTypeChecker.describe(type));
            }
        }
        setPte(entryPa, value, 0, what, batch);
    }

    /** @return the frames released while linked that live shadow page directories link still, in order */
    long[] releasedButLinked() {
        return links.stillLinked();
    }

    /**
     * How many live shadow page-directory entries link a frame.
     *
     * @param pfn a guest frame
     * @return the count
     */
    int linksTo(long pfn) {
        return links.linksTo(pfn);
    }

    // ---------------------------------------------------------------------------------------------
    // set_pte / update_pte
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code set_pte(pte, ptep, level)}: checks the write against the frame's type, stores the guest's
     * entry and, for a typed frame, updates the shadow entry (or queues the update in lazy mode).
     * A write to a NORMAL frame passes through, untracked.
     *
     * @param entryPa the entry's physical address
     * @param value   the new entry
     * @param accepts the types the write may target ({@link PageTypeChecker#PT}, {@link PageTypeChecker#PD}, or 0)
     * @param what    the hook, for messages
     * @param batch   the vCPU's lazy batch, or null to apply at once
     */
    void setPte(long entryPa, long value, int accepts, String what, LazyQueue.Batch batch) {
        long pfn = entryPa >>> PagingMode.PAGE_SHIFT;
        synchronized (lock(pfn)) {
            int type = types.checkPageType(pfn, accepts | pae | stillListed(pfn, entryPa, accepts), what);
            memory.writeEntry(entryPa, value);
            if (type != PageTypeChecker.NORMAL) {
                follow(pfn, entryPa, value, batch);
            }
        }
    }

    /**
     * {@code pgd_dtor} calls {@code release_pd} before {@code pgd_list_del}, so {@code set_pmd_pte}
     * and {@code vmalloc_sync_all}, walking {@code pgd_list} under {@code pgd_lock}, may write a kernel
     * entry of a 2-level root just released: such a pmd-level write to a frame whose last type was a
     * root is not checked against its NORMAL type (it passes through, unshadowed).
     *
     * @return {@link PageTypeChecker#UNCHECKED} for such a write, else 0
     */
    private int stillListed(long pfn, long entryPa, int accepts) {
        if (pae != 0 || (accepts & PageTypeChecker.PD) == 0 || (types.releasedAs(pfn) & PageTypeChecker.L2) == 0) {
            return 0;
        }
        int index = (int) ((entryPa & (PagingMode.PAGE_SIZE - 1)) >>> entryShift);
        return index >= mode.userPtrsPerPgd() ? PageTypeChecker.UNCHECKED : 0;
    }

    /**
     * {@code update_pte(ptep, level)}: the guest changed an entry in place; the shadow entry is
     * resynchronised from the guest's current value.
     *
     * @param entryPa the entry's physical address
     * @param accepts the types the update may target
     * @param what    the hook, for messages
     * @param batch   the vCPU's lazy batch, or null to apply at once
     */
    void updatePte(long entryPa, int accepts, String what, LazyQueue.Batch batch) {
        long pfn = entryPa >>> PagingMode.PAGE_SHIFT;
        synchronized (lock(pfn)) {
            int type = types.checkPageType(pfn, accepts | pae, what);
            if (type != PageTypeChecker.NORMAL) {
                follow(pfn, entryPa, memory.readEntry(entryPa), batch);
            }
        }
    }

    private void follow(long pfn, long entryPa, long value, LazyQueue.Batch batch) {
        Shadow s = shadows[(int) pfn];
        int index = (int) ((entryPa & (PagingMode.PAGE_SIZE - 1)) >>> entryShift);
        long machine = p2m.translate(value);
        counters.trap();
        if (EntryBits.isPresent(value)) {
            counters.translated(1);
        }
        if (batch != null) {
            batch.add(s, index, machine);
            counters.queued();
        } else {
            store(s, index, machine);
        }
    }

    /**
     * Applies a vCPU's queued shadow updates in order and empties the batch.
     *
     * @param batch the batch
     */
    void apply(LazyQueue.Batch batch) {
        int n = batch.size();
        if (n == 0) {
            return;
        }
        for (int i = 0; i < n; i++) {
            Shadow s = batch.shadow(i);
            synchronized (lock(s.pfn())) {
                store(s, batch.index(i), batch.value(i));
            }
        }
        batch.clear();
        counters.flushed();
    }

    // ---------------------------------------------------------------------------------------------
    // inspection
    // ---------------------------------------------------------------------------------------------

    /**
     * A frame's shadow.
     *
     * @param pfn a guest frame
     * @return its shadow, or null if the frame is not typed
     */
    Shadow shadowOf(long pfn) {
        if (pfn < 0 || pfn >= shadows.length) {
            return null;
        }
        synchronized (lock(pfn)) {
            return shadows[(int) pfn];
        }
    }

    /**
     * A frame's type.
     *
     * @param pfn a guest frame
     * @return its type; NORMAL for a frame beyond the guest's memory
     */
    int typeOf(long pfn) {
        if (pfn < 0 || pfn >= shadows.length) {
            return PageTypeChecker.NORMAL;
        }
        synchronized (lock(pfn)) {
            return types.typeOf(pfn);
        }
    }

    /** @return the live shadows, sorted by frame number (n log n in the live shadows) for a fixed audit order */
    List<Shadow> liveShadows() {
        return live.stream().sorted(Comparator.comparingLong(Shadow::pfn)).toList();
    }

    private void fillFromGuest(Shadow s, int from, int to) {
        long present = 0;
        for (int i = from; i < to; i++) {
            long e = memory.readEntry(s.pfn(), i);
            if (e != 0) {
                store(s, i, p2m.translate(e));
                if (EntryBits.isPresent(e)) {
                    present++;
                }
            }
        }
        counters.translated(present);
    }

    /** Sets a shadow entry; a page directory's also moves the link it holds. */
    private void store(Shadow s, int index, long machine) {
        if ((s.type() & PageTypeChecker.L2) != 0) {
            links.changed(s.get(index), machine);
        }
        s.set(index, machine);
    }

    private void install(Shadow s) {
        int i = (int) s.pfn();
        Shadow old = shadows[i];
        if (old != null) {
            live.remove(old); // a re-announcement recorded as a violation: the new shadow replaces the old
            if ((old.type() & PageTypeChecker.L2) != 0) {
                links.dropped(old);
            }
        } else {
            counters.shadowCreated();
        }
        shadows[i] = s;
        live.add(s);
    }

    private Object lock(long pfn) {
        return locks[stripe(pfn)];
    }

    private static int stripe(long pfn) {
        return (int) (pfn & (STRIPES - 1));
    }
}
