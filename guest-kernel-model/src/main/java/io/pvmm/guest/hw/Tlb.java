package io.pvmm.guest.hw;

import io.pvmm.api.PagingMode;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One vCPU's data TLB: two set-associative arrays, one for 4 KiB pages and one for large pages, each
 * entry a virtual page number, the physical page it maps and the permissions the walk found, with the
 * global and dirty flags the hardware keeps (Intel SDM vol. 3A, §4.10.2 "Translation Lookaside
 * Buffers"). Replacement is least-recently-used within a set, so a run is reproducible.
 *
 * <p>What the hardware does, and so what this does:
 * <ul>
 *   <li>a lookup that hits is used without reading the page tables, even if they changed since: a
 *       stale entry stays in use until it is flushed (§4.10.4);</li>
 *   <li>a hit whose permissions do not allow the access faults and drops the entry (§4.10.4.1: a
 *       page fault invalidates the TLB entries for the faulting address);</li>
 *   <li>a write that hits an entry whose dirty flag is clear misses, so the walk sets D in the pte
 *       (§4.8);</li>
 *   <li>{@link #flushNonGlobal} is a CR3 write (and {@code __flush_tlb}): entries whose global bit
 *       was set survive it when CR4.PGE is on; {@link #flushAll} is {@code __flush_tlb_global}
 *       (toggling CR4.PGE); {@link #invlpg} drops the entries for one address, global or not.</li>
 * </ul>
 *
 * <p><b>Threading:</b> the vCPU that owns the TLB looks up, fills and flushes it; another vCPU's
 * flush reaches it as an IPI, which the owner takes and flushes itself. Only the reset of an offline
 * vCPU's TLB ({@link #requestReset}) comes from another thread, and is applied before the next lookup.
 * Counters are read at quiescent points.
 */
public final class Tlb {

    /** {@link #lookup} found no usable entry: walk the tables. */
    public static final long MISS = -1;
    /** {@link #lookup} hit an entry that does not allow the access: a page fault (the entry is dropped). */
    public static final long FAULT = -2;

    /** Entry flags. */
    static final int WRITABLE = 1;
    static final int USER = 2;
    static final int EXECUTABLE = 4;
    static final int GLOBAL = 8;
    static final int DIRTY = 16;

    private final int cpu;
    private final boolean pge;
    private final Array small;
    private final Array large;
    private final int largeShift;
    private final AtomicInteger pending = new AtomicInteger();
    private final TlbCounters counters = new TlbCounters();
    private long clock;
    private long cr3 = -1;

    /**
     * Creates an empty TLB.
     *
     * @param cpu      the vCPU it belongs to
     * @param geometry entries and ways
     * @param mode     the paging mode (large pages are 4 MiB in 2-level mode, 2 MiB in PAE)
     * @param pge      CR4.PGE: whether the global bit keeps an entry across a CR3 write
     */
    public Tlb(int cpu, TlbGeometry geometry, PagingMode mode, boolean pge) {
        Objects.requireNonNull(geometry, "geometry");
        this.cpu = cpu;
        this.pge = pge;
        this.small = new Array(geometry.smallEntries(), geometry.smallWays());
        this.large = new Array(geometry.largeEntries(), geometry.largeWays());
        this.largeShift = Long.numberOfTrailingZeros(Objects.requireNonNull(mode, "mode").pmdSize());
    }

    /** @return the vCPU this TLB belongs to */
    public int cpu() {
        return cpu;
    }

    /** @return this TLB's counts */
    public TlbCounters counters() {
        return counters;
    }

    /**
     * Looks an access up.
     *
     * @param va     the virtual address
     * @param access what the access is
     * @return the physical address the access reaches, {@link #MISS} or {@link #FAULT}
     */
    public long lookup(long va, Mmu.Access access) {
        if (pending.get() != 0) {
            applyPending();
        }
        counters.lookups++;
        clock++;
        int i = small.find(va >>> PagingMode.PAGE_SHIFT);
        Array a = small;
        int shift = PagingMode.PAGE_SHIFT;
        if (i < 0) {
            i = large.find(va >>> largeShift);
            a = large;
            shift = largeShift;
        }
        if (i < 0) {
            counters.misses++;
            return MISS;
        }
        int f = a.flags[i];
        if ((access.user() && (f & USER) == 0) || (access.write() && (f & WRITABLE) == 0)
                || (access.execute() && (f & EXECUTABLE) == 0)) {
            a.drop(i);
            counters.faults++;
            return FAULT;
        }
        if (access.write() && (f & DIRTY) == 0) {
            a.drop(i); // the walk sets D, then refills
            counters.misses++;
            return MISS;
        }
        a.used[i] = clock;
        counters.hits++;
        return a.frame[i] | (va & ((1L << shift) - 1));
    }

    /**
     * Caches what a walk found, evicting the least recently used entry of the set if it is full.
     *
     * @param t      the walk's translation (4 KiB or a large page)
     * @param global the leaf entry's G bit (kept only when PGE is on)
     * @param dirty  the leaf entry's D bit after the walk
     */
    public void fill(Mmu.Translation t, boolean global, boolean dirty) {
        fill(t.va(), t.pa(), t.pageSize(), t.writable(), t.user(), t.executable(), global, dirty);
    }

    /**
     * Caches what a walk found, as {@link #fill(Mmu.Translation, boolean, boolean)} does, from the
     * walk's fields (the miss path allocates nothing).
     *
     * @param va         the virtual address of the page
     * @param pa         the physical address of the page
     * @param pageSize   4 KiB or the large-page size
     * @param writable   RW at every level
     * @param user       U at every level
     * @param executable NX clear at every level
     * @param global     the leaf's G bit (kept only when PGE is on)
     * @param dirty      the leaf's D bit after the walk
     */
    public void fill(long va, long pa, long pageSize, boolean writable, boolean user, boolean executable, boolean global,
                     boolean dirty) {
        boolean big = pageSize > PagingMode.PAGE_SIZE;
        Array a = big ? large : small;
        long vpn = va >>> (big ? largeShift : PagingMode.PAGE_SHIFT);
        int f = (writable ? WRITABLE : 0) | (user ? USER : 0) | (executable ? EXECUTABLE : 0)
                | (global && pge ? GLOBAL : 0) | (dirty ? DIRTY : 0);
        if (a.put(vpn, pa, f, ++clock)) {
            counters.evictions++;
        }
        counters.fills++;
    }

    /**
     * A CR3 write: the vCPU now translates through {@code root}, and its non-global entries go.
     *
     * @param root the root's physical address
     */
    public void loadCr3(long root) {
        cr3 = root;
        flushNonGlobal();
    }

    /** @return the root loaded by the last {@link #loadCr3}, or -1 before the first */
    public long cr3() {
        return cr3;
    }

    /** A CR3 write or {@code __flush_tlb}: drops every entry but the global ones (all of them if PGE is off). */
    public void flushNonGlobal() {
        counters.flushes++;
        small.dropNonGlobal();
        large.dropNonGlobal();
    }

    /** {@code __flush_tlb_global}: drops every entry, global ones too. */
    public void flushAll() {
        counters.globalFlushes++;
        small.dropAll();
        large.dropAll();
    }

    /**
     * {@code invlpg}: drops the entries that map {@code va}, global or not.
     *
     * @param va the virtual address
     */
    public void invlpg(long va) {
        counters.invlpgs++;
        int i = small.find(va >>> PagingMode.PAGE_SHIFT);
        if (i >= 0) {
            small.drop(i);
        }
        i = large.find(va >>> largeShift);
        if (i >= 0) {
            large.drop(i);
        }
    }

    /**
     * This vCPU is offline: whatever it cached is invalid when it runs again, as after an INIT. Every
     * entry goes before its next lookup (no flush is counted: the kernel made none). Any thread may call it.
     */
    public void requestReset() {
        pending.set(1);
    }

    /** Counts a flush this vCPU made because another asked it to, by IPI. */
    public void shootdownTaken() {
        counters.shootdownsReceived.incrementAndGet();
    }

    /** Applies a pending reset ({@link #requestReset}); the owner calls it (also at quiescent points). */
    public void applyPending() {
        if (pending.getAndSet(0) != 0) {
            small.dropAll();
            large.dropAll();
        }
    }

    /**
     * Visits every valid entry, 4 KiB ones first, for checks at quiescent points.
     *
     * @param action given each entry
     */
    public void forEach(Consumer<Entry> action) {
        applyPending();
        small.forEach(PagingMode.PAGE_SHIFT, action);
        large.forEach(largeShift, action);
    }

    /** @return how many entries are valid */
    public int size() {
        return small.size() + large.size();
    }

    /**
     * A cached translation.
     *
     * @param va         the virtual address of the page
     * @param pa         the physical address it maps
     * @param pageSize   4 KiB or the large-page size
     * @param writable   RW at every level
     * @param user       U at every level
     * @param executable NX clear at every level
     * @param global     G set (and PGE on)
     * @param dirty      D set in the pte when it was cached
     */
    public record Entry(long va, long pa, long pageSize, boolean writable, boolean user, boolean executable,
                        boolean global, boolean dirty) {
    }

    /** One set-associative array: parallel arrays, a set's ways side by side. */
    private static final class Array {
        private final int ways;
        private final int setMask;
        private final long[] tag;
        private final long[] frame;
        private final int[] flags;
        private final long[] used;

        Array(int entries, int ways) {
            this.ways = ways;
            this.setMask = entries / ways - 1;
            this.tag = new long[entries];
            this.frame = new long[entries];
            this.flags = new int[entries];
            this.used = new long[entries];
            java.util.Arrays.fill(tag, -1);
        }

        int find(long vpn) {
            int base = (int) (vpn & setMask) * ways;
            for (int w = 0; w < ways; w++) {
                if (tag[base + w] == vpn) {
                    return base + w;
                }
            }
            return -1;
        }

        /** @return whether a valid entry was evicted */
        boolean put(long vpn, long pa, int f, long now) {
            int at = find(vpn);
            boolean evicted = false;
            if (at < 0) {
                int base = (int) (vpn & setMask) * ways;
                at = base;
                for (int w = 0; w < ways; w++) {
                    int i = base + w;
                    if (tag[i] < 0) {
                        at = i;
                        break;
                    }
                    if (used[i] < used[at]) {
                        at = i;
                    }
                }
                evicted = tag[at] >= 0;
            }
            tag[at] = vpn;
            frame[at] = pa;
            flags[at] = f;
            used[at] = now;
            return evicted;
        }

        void drop(int i) {
            tag[i] = -1;
        }

        void dropNonGlobal() {
            for (int i = 0; i < tag.length; i++) {
                if ((flags[i] & GLOBAL) == 0) {
                    tag[i] = -1;
                }
            }
        }

        void dropAll() {
            java.util.Arrays.fill(tag, -1);
        }

        int size() {
            int n = 0;
            for (long t : tag) {
                n += t >= 0 ? 1 : 0;
            }
            return n;
        }

        void forEach(int shift, Consumer<Entry> action) {
            for (int i = 0; i < tag.length; i++) {
                if (tag[i] >= 0) {
                    int f = flags[i];
                    action.accept(new Entry(tag[i] << shift, frame[i], 1L << shift, (f & WRITABLE) != 0, (f & USER) != 0,
                            (f & EXECUTABLE) != 0, (f & GLOBAL) != 0, (f & DIRTY) != 0));
                }
            }
        }
    }
}
