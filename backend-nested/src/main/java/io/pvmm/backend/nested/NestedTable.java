package io.pvmm.backend.nested;

import io.pvmm.api.PagingMode;
import java.util.HashMap;
import java.util.Map;

/**
 * The host's nested page table (Intel's extended page table, EPT): a 4-level radix tree of 512
 * 8-byte entries per table, from guest-physical to host-physical addresses, kept in frames the host
 * owns ({@link HostFrames.Owner#EPT_TABLE}) and written with real EPT entry bits ({@link EptEntry}).
 * Levels are numbered as the SDM does: 4 (PML4, bits 47–39 of the guest-physical address), 3 (PDPT,
 * 38–30), 2 (PD, 29–21; a 2 MiB page if bit 7), 1 (PT, 20–12).
 *
 * <p>A walk ({@link #translate}) reads one entry per level down to the leaf: 4 references with
 * 4 KiB host pages, 3 with 2 MiB ones, as KVM's {@code FNAME(walk_addr)} over {@code PT64} tables
 * reads them ({@code arch/x86/kvm/paging_tmpl.h}) and as the processor does without its
 * paging-structure caches, which this model leaves out.
 *
 * <p><b>Threading:</b> every method takes the table's lock: the vCPUs' walks and the exits that map
 * frames are serialised (KVM holds {@code mmu_lock} to change the table; the hardware walks it
 * without, which the model does not need to imitate).
 */
final class NestedTable {

    /** The levels of the table: {@code m} in Bhargava et al.'s {@code (n+1)(m+1)-1}. */
    static final int LEVELS = 4;

    private final HostFrames frames;
    private final boolean largePages;
    private final Map<Long, long[]> tables = new HashMap<>();
    private final long root;

    /**
     * Creates an empty table with its root.
     *
     * @param frames     host memory
     * @param largePages whether guest RAM is mapped with 2 MiB host pages
     */
    NestedTable(HostFrames frames, boolean largePages) {
        this.frames = frames;
        this.largePages = largePages;
        this.root = newTable();
    }

    /** @return the EPT pointer the VMCS would hold */
    synchronized long eptp() {
        return EptEntry.eptp(root << PagingMode.PAGE_SHIFT);
    }

    /** @return whether guest RAM is mapped with 2 MiB pages */
    boolean largePages() {
        return largePages;
    }

    /** @return the host-frame number of the PML4 table */
    long root() {
        return root;
    }

    private static int index(long gpa, int level) {
        return (int) (gpa >>> (PagingMode.PAGE_SHIFT + EptEntry.INDEX_BITS * (level - 1))) & (EptEntry.ENTRIES - 1);
    }

    /**
     * Walks the table for one guest-physical address.
     *
     * @param gpa  the guest-physical address
     * @param refs where the number of entries read is added ({@code refs[0]})
     * @return the host-physical address, or -1 if an entry on the way is not present (an EPT violation)
     */
    synchronized long translate(long gpa, long[] refs) {
        long table = root;
        for (int level = LEVELS; level >= 1; level--) {
            long e = tables.get(table)[index(gpa, level)];
            refs[0]++;
            if (!EptEntry.present(e)) {
                return -1;
            }
            long next = EptEntry.address(e);
            if (level == 1 || (level == 2 && (e & EptEntry.LARGE) != 0)) {
                long pageMask = (1L << (PagingMode.PAGE_SHIFT + EptEntry.INDEX_BITS * (level - 1))) - 1;
                return next + (gpa & pageMask);
            }
            table = next >>> PagingMode.PAGE_SHIFT;
        }
        throw new IllegalStateException("unreachable");
    }

    /** @return whether the guest frame containing {@code gpa} is mapped */
    synchronized boolean mapped(long gpa) {
        return translate(gpa, new long[1]) >= 0;
    }

    /**
     * Maps the guest frame that contains {@code gpa} (or its 2 MiB region, with large pages) to fresh
     * host memory, building the tables on the way: the work of an EPT-violation exit.
     *
     * @param gpa the guest-physical address
     * @return the guest frames mapped (1 or 512), 0 if already mapped, -1 if the host is out of memory
     */
    synchronized int map(long gpa) {
        if (mapped(gpa)) {
            return 0;
        }
        int leafLevel = largePages ? 2 : 1;
        long table = root;
        for (int level = LEVELS; level > leafLevel; level--) {
            long[] t = tables.get(table);
            int i = index(gpa, level);
            if (!EptEntry.present(t[i])) {
                long fresh = newTable();
                if (fresh < 0) {
                    return -1;
                }
                t[i] = EptEntry.table(fresh << PagingMode.PAGE_SHIFT);
            }
            table = EptEntry.address(t[i]) >>> PagingMode.PAGE_SHIFT;
        }
        int count = largePages ? EptEntry.ENTRIES : 1;
        long host = frames.allocGuest(count);
        if (host < 0) {
            return -1;
        }
        tables.get(table)[index(gpa, leafLevel)] = EptEntry.leaf(host << PagingMode.PAGE_SHIFT, largePages);
        return count;
    }

    private long newTable() {
        long hfn = frames.allocTable();
        if (hfn >= 0) {
            tables.put(hfn, new long[EptEntry.ENTRIES]);
        }
        return hfn;
    }

    /** What the audit is shown of one present entry. */
    interface EntryVisitor {
        /**
         * @param tableHfn the table's host frame
         * @param level    its level, 4 to 1
         * @param index    the entry's index
         * @param gpaBase  the first guest-physical address the entry covers
         * @param entry    the entry
         * @param leaf     whether it maps a page
         */
        void entry(long tableHfn, int level, int index, long gpaBase, long entry, boolean leaf);
    }

    /**
     * Visits every present entry, tables before what they point to; a table pointer to a frame the
     * table does not hold is visited but not followed.
     *
     * @param v the visitor
     */
    synchronized void forEachEntry(EntryVisitor v) {
        visit(root, LEVELS, 0, v);
    }

    private void visit(long table, int level, long base, EntryVisitor v) {
        long[] t = tables.get(table);
        for (int i = 0; i < EptEntry.ENTRIES; i++) {
            long e = t[i];
            if (!EptEntry.present(e)) {
                continue;
            }
            long gpa = base + ((long) i << (PagingMode.PAGE_SHIFT + EptEntry.INDEX_BITS * (level - 1)));
            boolean leaf = level == 1 || (level == 2 && (e & EptEntry.LARGE) != 0);
            v.entry(table, level, i, gpa, e, leaf);
            long next = EptEntry.address(e) >>> PagingMode.PAGE_SHIFT;
            if (!leaf && tables.containsKey(next)) {
                visit(next, level - 1, gpa, v);
            }
        }
    }

    /** @return whether {@code hfn} is one of this table's frames */
    synchronized boolean holds(long hfn) {
        return tables.containsKey(hfn);
    }

    /**
     * Overwrites an entry: for tests that break the table on purpose.
     *
     * @param gpa   a guest-physical address the entry covers
     * @param level the entry's level
     * @param entry the new value
     */
    synchronized void poke(long gpa, int level, long entry) {
        long table = root;
        for (int l = LEVELS; l > level; l--) {
            table = EptEntry.address(tables.get(table)[index(gpa, l)]) >>> PagingMode.PAGE_SHIFT;
        }
        tables.get(table)[index(gpa, level)] = entry;
    }

    /** @return the host frames holding tables */
    synchronized int tableCount() {
        return tables.size();
    }
}
