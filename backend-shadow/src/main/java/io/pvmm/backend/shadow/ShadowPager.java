package io.pvmm.backend.shadow;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import io.pvmm.api.TrappedStore;
import io.pvmm.api.WriteProtection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A shadow pager that learns the guest's page tables by itself, as VMware's binary-translation monitor
 * and KVM and Xen HVM did before nested paging: from each root the guest loads into CR3 it walks the
 * guest's tables, shadows every table it finds linked (translated through the {@link P2m}) and
 * write-protects its frame; every guest store into a protected frame then traps and is emulated into
 * the shadow. It is told nothing by the lifecycle hooks.
 *
 * <ul>
 *   <li><b>Roots</b> ({@link #loadRoot}): a root already in the {@link ShadowCache} is a hit; a miss
 *       builds the root's shadow, its directories' shadows eagerly (every link) and its pte pages'
 *       shadows empty, filled on demand — KVM's {@code mmu_alloc_roots} and {@code kvm_mmu_get_page},
 *       which write-protect each guest table they shadow ({@code rmap_write_protect}).</li>
 *   <li><b>Trapped stores</b> ({@link #trapped}): the store is emulated into the shadow entry it
 *       changes; a directory entry that stops linking a table drops the table's up-pointer, and a table
 *       that nothing links any more is dropped and unprotected (Xen's {@code sh_remove_shadows} by
 *       up-pointer) — KVM's {@code kvm_mmu_pte_write}, Xen's {@code sh_x86_emulate_write} and
 *       {@code sh_validate_guest_entry}.</li>
 *   <li><b>Data writes</b>: a block store ({@code clear_page}, {@code copy_page}, {@code memset})
 *       into a shadowed table is emulated like any other; the {@value #DATA_WRITES_TO_UNSHADOW}nd
 *       data write in a row to the same frame on a vCPU, with no other trap or fault of that vCPU in
 *       between, unshadows the frame — its shadow is unhooked from every parent and dropped, and the
 *       frame unprotected. The rule is Xen's early unshadow ({@code check_for_early_unshadow}: "If we
 *       see two emulated writes of zeros to the same page-table without another kind of page fault in
 *       between, we guess that this is a batch of changes ... and unshadow the page", optimisation
 *       {@code SHOPT_EARLY_UNSHADOW}, "unshadow l1s on fork or exit") applied to what the emulator
 *       decodes as string operations, which page-table code never uses on a live table; KVM's
 *       write-flooding detection in {@code kvm_mmu_pte_write} is the same idea with 3 writes ("If we're
 *       seeing too many writes to a page, it may no longer be a page table").</li>
 *   <li><b>Hidden faults</b> ({@link #pageWalk}, on each TLB miss): an access the shadow does not map
 *       but the guest's tables do is fixed by syncing the one missing entry, and the guest never sees
 *       it (Xen's {@code sh_page_fault} propagating a guest entry, KVM's {@code FNAME(page_fault)}).</li>
 *   <li><b>Out of sync</b> (the {@code out-of-sync} setting): the first trapped store into a pte page
 *       lets the page out of sync on the vCPU that made it — the store is emulated, the guest's table
 *       snapshotted and the frame unprotected, so later stores do not trap (Xen's {@code sh_unsync},
 *       KVM's {@code kvm_unsync_page}); only a pte page that has no other shadow may go (Xen's rule 1 in
 *       {@code oos.c}). A TLB flush or CR3 load on a vCPU is Xen's {@code sh_update_cr3}: the pages that
 *       vCPU let out of sync are resynced against their snapshots and protected again
 *       ({@code shadow_resync_current_vcpu}), while the pages other vCPUs let out of sync only have their
 *       shadows brought up to date, snapshot with them, and stay out of sync
 *       ({@code shadow_sync_other_vcpus}: "pages brought out of sync on other vcpus are allowed to
 *       remain out of sync, but their contents will be made safe"). Write access is pulled back only
 *       by the vCPU that gave it, at a flush of its own, never while that vCPU may be in the middle of
 *       storing into the page. At most {@value #OOS_PAGES_PER_VCPU} per vCPU, the oldest resynced first
 *       (Xen's {@code SHADOW_OOS_PAGES}).</li>
 * </ul>
 *
 * <p><b>Threading:</b> one lock for the whole pager, as Xen's {@code paging_lock} and KVM's
 * {@code mmu_lock}; it is taken inside whatever lock the guest holds and calls nothing of the guest.
 */
final class ShadowPager {

    /** The consecutive data writes to one shadowed frame that unshadow it (Xen's early-unshadow rule). */
    static final int DATA_WRITES_TO_UNSHADOW = 2;
    /** Out-of-sync pte pages per vCPU (Xen's {@code SHADOW_OOS_PAGES}). */
    static final int OOS_PAGES_PER_VCPU = 3;

    private final PagingMode mode;
    private final GuestMemory memory;
    private final P2m p2m;
    private final WriteProtection wp;
    private final ShadowCounters counters;
    private final ShadowCache cache;
    private final boolean outOfSync;
    private final int entryShift;
    private final int perFrame;
    private final Shadow[] tables;
    private final Set<Shadow> live = new HashSet<>();
    private final Map<Long, List<Shadow>> pdptsInFrame = new HashMap<>();
    private final long[] current;
    private final long[] lastDataPfn;
    private final int[] dataRun;
    private final List<ArrayDeque<Shadow>> oos = new ArrayList<>();

    /**
     * A pager with nothing shadowed.
     *
     * @param mode      the guest's paging mode
     * @param memory    the guest's memory, read and written as the monitor's
     * @param p2m       the pfn-to-mfn map
     * @param wp        the hardware's write protection
     * @param counters  the counters
     * @param cache     the root cache
     * @param outOfSync the {@code out-of-sync} setting
     * @param vcpus     the guest's vCPUs
     */
    ShadowPager(PagingMode mode, GuestMemory memory, P2m p2m, WriteProtection wp, ShadowCounters counters,
                ShadowCache cache, boolean outOfSync, int vcpus) {
        this.mode = mode;
        this.memory = memory;
        this.p2m = p2m;
        this.wp = wp;
        this.counters = counters;
        this.cache = cache;
        this.outOfSync = outOfSync;
        this.entryShift = Integer.numberOfTrailingZeros(mode.entryBytes());
        this.perFrame = mode.entriesPerFrame();
        this.tables = new Shadow[Math.toIntExact(memory.frames())];
        this.current = new long[vcpus];
        Arrays.fill(current, -1);
        this.lastDataPfn = new long[vcpus];
        Arrays.fill(lastDataPfn, -1);
        this.dataRun = new int[vcpus];
        for (int i = 0; i < vcpus; i++) {
            oos.add(new ArrayDeque<>());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // roots
    // ---------------------------------------------------------------------------------------------

    /**
     * The vCPU loads {@code rootPa} into CR3 ({@code write_cr3}, {@code activate_mm}): the TLB is
     * flushed (out-of-sync pages resync), and the root's shadow is found in the cache or built.
     *
     * @param cpu    the vCPU
     * @param rootPa the guest root
     */
    synchronized void loadRoot(int cpu, long rootPa) {
        flushed(cpu);
        current[cpu] = rootPa;
        rootShadow(rootPa, true);
    }

    /** The root's shadow, built on a miss; a hit is counted only for a CR3 load, not for every walk. */
    private Shadow rootShadow(long rootPa, boolean load) {
        Shadow root = cache.get(rootPa);
        if (root != null) {
            if (load) {
                counters.cacheHit();
            }
            return root;
        }
        counters.cacheMiss();
        root = mode == PagingMode.PAE ? newPdpt(rootPa) : table(rootPa >>> PagingMode.PAGE_SHIFT, Shadow.Level.L2);
        root.setCachedRoot(true);
        cache.put(rootPa, root);
        for (Shadow old = cache.evictOne(this::isCurrent); old != null; old = cache.evictOne(this::isCurrent)) {
            counters.evicted();
            uncacheRoot(old);
        }
        counters.rootsCached(cache.size());
        return root;
    }

    private boolean isCurrent(long rootPa) {
        for (long c : current) {
            if (c == rootPa) {
                return true;
            }
        }
        return false;
    }

    private void uncacheRoot(Shadow root) {
        root.setCachedRoot(false);
        if (!root.isReachable()) {
            drop(root);
        }
        counters.rootsCached(cache.size());
    }

    private Shadow newPdpt(long rootPa) {
        long pfn = rootPa >>> PagingMode.PAGE_SHIFT;
        Shadow s = new Shadow(pfn, rootPa, Shadow.Level.PDPT, mode.ptrsPerPgd());
        pdptsInFrame.computeIfAbsent(pfn, k -> new ArrayList<>()).add(s);
        live.add(s);
        counters.created(s);
        protect(pfn);
        for (int i = 0; i < s.size(); i++) {
            s.set(i, link(s, i, memory.readEntry(rootPa + ((long) i << entryShift))));
        }
        return s;
    }

    /** The shadow of a guest table at a level: the existing one, or a new one (a directory filled, a pte page empty). */
    private Shadow table(long pfn, Shadow.Level level) {
        Shadow s = tables[(int) pfn];
        if (s != null && s.level() == level) {
            return s;
        }
        if (s != null) {
            unshadow(s); // the frame changed level: what linked it as the other level no longer does
        }
        s = new Shadow(pfn, pfn << PagingMode.PAGE_SHIFT, level, perFrame);
        tables[(int) pfn] = s;
        live.add(s);
        counters.created(s);
        protect(pfn);
        if (level == Shadow.Level.L2) {
            for (int i = 0; i < perFrame; i++) {
                s.set(i, link(s, i, memory.readEntry(pfn, i)));
            }
        }
        return s;
    }

    /** The shadow entry for a guest directory entry, linking the table it names (shadowed as needed). */
    private long link(Shadow parent, int index, long guest) {
        if (!EntryBits.isPresent(guest)) {
            return p2m.translate(guest);
        }
        counters.translated(1);
        if (parent.level() == Shadow.Level.L2 && EntryBits.isLarge(guest)) {
            return p2m.translate(guest); // a large page: a leaf
        }
        long child = mode.entryPfn(guest);
        if (child >= tables.length) {
            return p2m.translate(guest);
        }
        Shadow c = table(child, parent.level() == Shadow.Level.PDPT ? Shadow.Level.L2 : Shadow.Level.L1);
        c.link(parent, index);
        parent.setChild(index, c);
        return p2m.translate(guest);
    }

    /** Forgets what a directory entry linked; drops the linked table if nothing else links it. */
    private void unlink(Shadow parent, int index) {
        Shadow c = parent.child(index);
        parent.setChild(index, null);
        parent.set(index, 0);
        if (c != null && c.unlink(parent, index) && !c.isReachable()) {
            counters.unshadowedUnlinked();
            drop(c);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // trapped stores
    // ---------------------------------------------------------------------------------------------

    /**
     * A guest store into a protected frame, already in memory: emulated into the shadow, and counted
     * by cause; a data write may unshadow the frame.
     *
     * @param store the trapped store
     */
    synchronized void trapped(TrappedStore store) {
        int cpu = store.vcpu() < current.length ? store.vcpu() : 0;
        long pfn = store.pfn();
        int index = store.offset() >>> entryShift;
        Shadow t = pfn < tables.length ? tables[(int) pfn] : null;
        List<Shadow> pdpts = pdptsInFrame.get(pfn);
        if (t == null && pdpts == null) {
            wp.unprotect(pfn); // nothing of ours is there any more
            return;
        }
        boolean data = store.kind() == TrappedStore.Kind.BLOCK;
        if (data) {
            counters.trap(TrapCause.DATA_WRITE);
        } else {
            counters.trap(t == null ? TrapCause.ROOT_WRITE : t.level() == Shadow.Level.L1 ? TrapCause.PTE_WRITE
                    : mode == PagingMode.PAE ? TrapCause.PMD_WRITE : TrapCause.ROOT_WRITE);
        }
        List<Shadow> hit = new ArrayList<>(1);
        if (t != null) {
            emulate(cpu, t, index, store.value());
            hit.add(t);
        }
        if (pdpts != null) {
            for (Shadow root : List.copyOf(pdpts)) {
                long at = store.pa() - root.rootPa();
                if (at >= 0 && at < ((long) root.size() << entryShift)) {
                    int i = (int) (at >>> entryShift);
                    unlink(root, i);
                    root.set(i, link(root, i, store.value()));
                    hit.add(root);
                }
            }
        }
        if (!data) {
            dataRun[cpu] = 0;
            return;
        }
        if (lastDataPfn[cpu] == pfn) {
            dataRun[cpu]++;
        } else {
            lastDataPfn[cpu] = pfn;
            dataRun[cpu] = 1;
        }
        if (dataRun[cpu] >= DATA_WRITES_TO_UNSHADOW) {
            for (Shadow s : hit) {
                counters.unshadowedData();
                unshadow(s);
            }
        }
    }

    private void emulate(int cpu, Shadow t, int index, long value) {
        if (t.level() == Shadow.Level.L2) {
            unlink(t, index);
            t.set(index, link(t, index, value));
            return;
        }
        t.set(index, p2m.translate(value));
        if (EntryBits.isPresent(value)) {
            counters.translated(1);
        }
        if (t.isOutOfSync()) {
            t.snapshot()[index] = value;
        } else if (outOfSync) {
            unsync(cpu, t);
        }
    }

    /**
     * {@code sh_unsync}: lets the guest write a pte page freely until the vCPU's next flush. Only a
     * frame shadowed once, as an L1, may go: a frame that also holds a PAE root stays protected. The
     * snapshot is the guest's table now, and every synced shadow entry is made to agree with it (a
     * store another vCPU made, whose trap is still on its way, would otherwise be in the snapshot and
     * not in the shadow, and a resync, finding nothing changed, would never bring it in).
     */
    private void unsync(int cpu, Shadow t) {
        if (pdptsInFrame.containsKey(t.pfn())) {
            return;
        }
        long[] snap = new long[perFrame];
        for (int i = 0; i < perFrame; i++) {
            snap[i] = memory.readEntry(t.pfn(), i);
            if (t.get(i) != 0 && t.get(i) != p2m.translate(snap[i])) {
                t.set(i, p2m.translate(snap[i]));
            }
        }
        t.setSnapshot(snap);
        wp.unprotect(t.pfn());
        counters.unsynced();
        ArrayDeque<Shadow> mine = oos.get(cpu);
        mine.add(t);
        if (mine.size() > OOS_PAGES_PER_VCPU) {
            resync(mine.poll());
        }
    }

    /**
     * {@code sh_resync}: the frame is protected again, then every entry the guest changed since the
     * snapshot is synced. Protection comes first, as Xen's {@code _sh_resync} pulls write access
     * before it reads the table ("so the page *stays* in sync"): a store another vCPU makes meanwhile
     * either lands before the protection, and is read here, or traps after it.
     */
    private void resync(Shadow t) {
        if (t.snapshot() == null) {
            return;
        }
        protect(t.pfn());
        int changed = syncEntries(t);
        t.setSnapshot(null);
        counters.resynced(changed);
    }

    /**
     * {@code sh_resync_l1}: every entry the guest changed since the snapshot is synced into the shadow
     * and into the snapshot, so the two agree entry by entry whatever the guest stores meanwhile; a
     * store that lands after its entry was read differs from the snapshot, and the next sync takes it.
     *
     * @return the entries that changed
     */
    private int syncEntries(Shadow t) {
        long[] snap = t.snapshot();
        int changed = 0;
        for (int i = 0; i < perFrame; i++) {
            long g = memory.readEntry(t.pfn(), i);
            if (g != snap[i]) {
                t.set(i, p2m.translate(g));
                snap[i] = g;
                changed++;
                if (EntryBits.isPresent(g)) {
                    counters.translated(1);
                }
            }
        }
        return changed;
    }

    /**
     * A TLB flush on a vCPU.
     *
     * @param cpu the vCPU
     */
    synchronized void flush(int cpu) {
        flushed(cpu);
    }

    /**
     * {@code sh_update_cr3}'s two calls of {@code sh_resync_all}: this vCPU's out-of-sync pages are
     * resynced and protected ({@code shadow_resync_current_vcpu}); every other vCPU's are brought up to
     * date and left out of sync ({@code shadow_sync_other_vcpus}), since their vCPU may be storing into
     * them right now, untrapped: pulling write access there could miss a store that lands after the
     * read but checked the protection before it took effect.
     */
    private void flushed(int cpu) {
        int me = cpu < oos.size() ? cpu : 0;
        ArrayDeque<Shadow> mine = oos.get(me);
        for (Shadow t = mine.poll(); t != null; t = mine.poll()) {
            resync(t);
        }
        for (int other = 0; other < oos.size(); other++) {
            if (other != me) {
                for (Shadow t : oos.get(other)) {
                    counters.refreshed(syncEntries(t));
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // dropping shadows
    // ---------------------------------------------------------------------------------------------

    /** {@code sh_remove_shadows}: unhook a shadow from every parent and from the cache, then drop it. */
    private void unshadow(Shadow s) {
        for (Shadow.UpPointer p : List.copyOf(s.up())) {
            p.parent().setChild(p.index(), null);
            p.parent().set(p.index(), 0);
        }
        s.up().clear();
        if (s.isCachedRoot()) {
            cache.remove(s.rootPa());
            s.setCachedRoot(false);
            counters.rootsCached(cache.size());
        }
        if (live.contains(s)) {
            drop(s);
        }
    }

    private void drop(Shadow s) {
        live.remove(s);
        counters.dropped(s);
        if (s.isOutOfSync()) {
            s.setSnapshot(null);
            for (ArrayDeque<Shadow> q : oos) {
                q.remove(s);
            }
        }
        if (s.level() == Shadow.Level.PDPT) {
            List<Shadow> in = pdptsInFrame.get(s.pfn());
            in.remove(s);
            if (in.isEmpty()) {
                pdptsInFrame.remove(s.pfn());
            }
        } else if (tables[(int) s.pfn()] == s) {
            tables[(int) s.pfn()] = null;
        }
        if (s.level() != Shadow.Level.L1) {
            for (int i = 0; i < s.size(); i++) {
                if (s.child(i) != null) {
                    unlink(s, i);
                }
            }
        }
        if (tables[(int) s.pfn()] == null && !pdptsInFrame.containsKey(s.pfn())) {
            wp.unprotect(s.pfn());
        }
    }

    private void protect(long pfn) {
        if (!wp.isProtected(pfn)) {
            wp.protect(pfn);
            counters.protectedFrame();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // hidden faults
    // ---------------------------------------------------------------------------------------------

    /**
     * The MMU walks the shadow for a guest access. A missing shadow entry whose guest entry allows the
     * access is synced (a hidden fault, one entry, or the link and the entry after an unshadow); an
     * access the guest's tables do not allow either is the guest's own fault.
     *
     * @param cpu     the vCPU
     * @param rootPa  its CR3
     * @param address the address accessed
     * @param write   whether the access stores
     */
    synchronized void pageWalk(int cpu, long rootPa, long address, boolean write) {
        dataRun[cpu] = 0; // a real fault in between: Xen's sh_reset_early_unshadow
        if (current[cpu] != rootPa) {
            current[cpu] = rootPa;
        }
        Shadow dir = rootShadow(rootPa, false);
        int synced = 0;
        if (mode == PagingMode.PAE) {
            int i3 = mode.pgdIndex(address);
            if (dir.child(i3) == null) {
                long g = memory.readEntry(rootPa + ((long) i3 << entryShift));
                if (!EntryBits.isPresent(g)) {
                    counters.guestFault();
                    return;
                }
                unlink(dir, i3);
                dir.set(i3, link(dir, i3, g));
                synced++;
            }
            dir = dir.child(i3);
            if (dir == null) {
                counters.guestFault();
                return;
            }
        }
        int i2 = mode == PagingMode.PAE ? mode.pmdIndex(address) : mode.pgdIndex(address);
        long e2 = dir.get(i2);
        if (!EntryBits.isPresent(e2) || (!EntryBits.isLarge(e2) && dir.child(i2) == null)) {
            long g = memory.readEntry(dir.pfn(), i2);
            if (!EntryBits.isPresent(g)) {
                finish(synced, true);
                return;
            }
            unlink(dir, i2);
            e2 = link(dir, i2, g);
            dir.set(i2, e2);
            synced++;
        }
        if (EntryBits.isLarge(e2) || dir.child(i2) == null) {
            finish(synced, false);
            return;
        }
        Shadow l1 = dir.child(i2);
        int i1 = mode.pteIndex(address);
        long e1 = l1.get(i1);
        if (allows(e1, write)) {
            finish(synced, false);
            return;
        }
        long g = memory.readEntry(l1.pfn(), i1);
        if (!allows(g, write)) {
            finish(synced, true);
            return;
        }
        l1.set(i1, p2m.translate(g));
        counters.translated(1);
        if (l1.isOutOfSync()) {
            l1.snapshot()[i1] = g;
        }
        finish(synced + 1, false);
    }

    /**
     * The MMU set A or D in a guest entry: a synced shadow entry follows it; an unsynced one stays
     * unsynced (the next miss syncs it with the bits).
     *
     * @param entryPa the entry's physical address, which holds the bits
     */
    synchronized void hardwareSetBits(long entryPa) {
        long pfn = entryPa >>> PagingMode.PAGE_SHIFT;
        Shadow t = pfn < tables.length ? tables[(int) pfn] : null;
        if (t == null) {
            return;
        }
        int i = (int) ((entryPa & (PagingMode.PAGE_SIZE - 1)) >>> entryShift);
        long g = memory.readEntry(entryPa);
        if (t.isOutOfSync()) {
            t.snapshot()[i] = g;
        }
        if (t.get(i) != 0 && (t.level() == Shadow.Level.L1 || mode.entryPfn(g) == (t.child(i) == null ? -1 : t.child(i).pfn())
                || EntryBits.isLarge(g))) {
            t.set(i, p2m.translate(g));
        }
    }

    private void finish(int synced, boolean guestFault) {
        if (synced > 0) {
            counters.hiddenFault(synced);
        }
        if (guestFault) {
            counters.guestFault();
        }
    }

    private static boolean allows(long entry, boolean write) {
        return EntryBits.isPresent(entry) && (!write || EntryBits.isWritable(entry));
    }

    // ---------------------------------------------------------------------------------------------
    // inspection
    // ---------------------------------------------------------------------------------------------

    /** @return the live shadows, tables by frame then PAE roots by address, for a fixed audit order */
    synchronized List<Shadow> liveShadows() {
        return live.stream().sorted(Comparator.comparingLong(Shadow::rootPa).thenComparing(Shadow::level)).toList();
    }

    /**
     * A table's shadow.
     *
     * @param pfn a guest frame
     * @return its shadow, or null
     */
    synchronized Shadow tableOf(long pfn) {
        return pfn >= 0 && pfn < tables.length ? tables[(int) pfn] : null;
    }

    /**
     * A cached root's shadow, without touching the cache's order.
     *
     * @param rootPa a guest root
     * @return its shadow, or null when it is not cached
     */
    synchronized Shadow cachedRoot(long rootPa) {
        return cache.peek(rootPa);
    }

    /** @return the cached roots, least recently used first */
    synchronized List<Long> cachedRoots() {
        List<Long> out = new ArrayList<>();
        cache.rootsByAge().forEach(out::add);
        return out;
    }

    /**
     * The shadow pte the hardware would use for an address through a cached root, without syncing
     * anything.
     *
     * @param rootPa  a guest root
     * @param address a virtual address
     * @return the shadow pte (0 when unsynced), or -1 when no shadow pte page covers the address
     */
    synchronized long shadowPte(long rootPa, long address) {
        Shadow dir = cache.peek(rootPa);
        if (dir == null) {
            return -1;
        }
        if (mode == PagingMode.PAE) {
            dir = dir.child(mode.pgdIndex(address));
            if (dir == null) {
                return -1;
            }
        }
        Shadow l1 = dir.child(mode == PagingMode.PAE ? mode.pmdIndex(address) : mode.pgdIndex(address));
        return l1 == null ? -1 : l1.get(mode.pteIndex(address));
    }
}
