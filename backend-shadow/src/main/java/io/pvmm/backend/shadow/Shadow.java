package io.pvmm.backend.shadow;

import java.util.ArrayList;
import java.util.List;

/**
 * One shadow table: the monitor's copy of one guest table, each entry the guest's translated to
 * machine frames through the {@link P2m}, or zero where it has not been synced yet — the hardware
 * walks these, never the guest's. Three levels: {@link Level#L1} (a pte page, Xen's
 * {@code SH_type_l1_32_shadow}), {@link Level#L2} (a page directory: the 2-level root, or a PAE pmd
 * page) and {@link Level#PDPT} (a PAE root: the 4 entries at {@code __pa(pgd)}, a 32-byte object that
 * shares its frame with other roots, which the processor loads into its PDPTE registers on a CR3
 * write).
 *
 * <p>Every shadow knows which shadow entries link it (its up-pointers, as Xen's
 * {@code sh_remove_shadows} uses them to unhook an L1 from its parents): a table no shadow entry links
 * and no cached root names is no longer in any table the monitor walks, and is dropped.
 *
 * <p>Out of sync (an L1 the guest may write without trapping, Xen's {@code sh_unsync}), the shadow
 * keeps a snapshot of the guest's table as it was when the shadow last agreed with it; a resync
 * compares the guest's entries with the snapshot and updates those that changed ({@code sh_resync}).
 *
 * <p><b>Threading:</b> not thread-safe; {@link ShadowPager} touches shadows only under its lock.
 */
final class Shadow {

    /** The shadow's level. */
    enum Level {
        /** A pte page. */
        L1,
        /** A page directory: the 2-level root (whose entries are the folded pmds) or a PAE pmd page. */
        L2,
        /** A PAE root: 4 entries at the root's physical address. */
        PDPT
    }

    /**
     * A shadow entry that links a shadow.
     *
     * @param parent the linking shadow
     * @param index  the entry
     */
    record UpPointer(Shadow parent, int index) {
    }

    private final long pfn;
    private final long rootPa;
    private final Level level;
    private final long[] entries;
    private final List<UpPointer> up = new ArrayList<>(1);
    private Shadow[] children;
    private long[] snapshot;
    private boolean cachedRoot;

    /**
     * A shadow with every entry unsynced (zero).
     *
     * @param pfn     the guest frame shadowed
     * @param rootPa  where the table starts: the PAE root's address for a {@link Level#PDPT}, else the frame's
     * @param level   its level
     * @param entries how many entries: 1024 or 512 for a table, 4 for a PDPT
     */
    Shadow(long pfn, long rootPa, Level level, int entries) {
        this.pfn = pfn;
        this.rootPa = rootPa;
        this.level = level;
        this.entries = new long[entries];
    }

    long pfn() {
        return pfn;
    }

    /** @return where the shadowed table starts: the frame, or the 32-byte PAE root inside it */
    long rootPa() {
        return rootPa;
    }

    Level level() {
        return level;
    }

    int size() {
        return entries.length;
    }

    long get(int i) {
        return entries[i];
    }

    void set(int i, long value) {
        entries[i] = value;
    }

    /**
     * The shadow an entry of this directory links.
     *
     * @param i an entry
     * @return the linked shadow, or null
     */
    Shadow child(int i) {
        return children == null ? null : children[i];
    }

    void setChild(int i, Shadow child) {
        if (children == null) {
            if (child == null) {
                return;
            }
            children = new Shadow[entries.length];
        }
        children[i] = child;
    }

    List<UpPointer> up() {
        return up;
    }

    void link(Shadow parent, int index) {
        up.add(new UpPointer(parent, index));
    }

    /**
     * Forgets one up-pointer.
     *
     * @param parent the linking shadow
     * @param index  its entry
     * @return whether it was there
     */
    boolean unlink(Shadow parent, int index) {
        for (int i = 0; i < up.size(); i++) {
            UpPointer p = up.get(i);
            if (p.parent() == parent && p.index() == index) {
                up.remove(i);
                return true;
            }
        }
        return false;
    }

    /** @return whether the root cache names this shadow */
    boolean isCachedRoot() {
        return cachedRoot;
    }

    void setCachedRoot(boolean cached) {
        this.cachedRoot = cached;
    }

    /** @return whether anything still reaches this shadow: an up-pointer or the root cache */
    boolean isReachable() {
        return cachedRoot || !up.isEmpty();
    }

    /** @return whether the guest may write the table without trapping (an out-of-sync L1) */
    boolean isOutOfSync() {
        return snapshot != null;
    }

    /** @return the guest's entries as they were when the shadow last agreed with them, or null */
    long[] snapshot() {
        return snapshot;
    }

    void setSnapshot(long[] snapshot) {
        this.snapshot = snapshot;
    }

    /** @return how many entries are synced (not zero) */
    int synced() {
        int n = 0;
        for (long e : entries) {
            if (e != 0) {
                n++;
            }
        }
        return n;
    }
}
