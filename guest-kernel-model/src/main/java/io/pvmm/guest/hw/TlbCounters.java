package io.pvmm.guest.hw;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one vCPU's TLB and page walker did: lookups and how they ended, walks and the memory
 * references they made, flushes by kind. Written only by the owning vCPU (the shootdowns it received
 * excepted, which other vCPUs count), read at quiescent points.
 */
public final class TlbCounters {

    long lookups;
    long hits;
    long misses;
    long faults;
    long fills;
    long evictions;
    long walks;
    long walkReferences;
    long flushes;
    long globalFlushes;
    long invlpgs;
    final AtomicLong shootdownsReceived = new AtomicLong();

    /** @return lookups, hits and misses together (a fault on a hit is a lookup too) */
    public long lookups() {
        return lookups;
    }

    /** @return lookups that missed (including writes to a clean entry, which must set D) */
    public long misses() {
        return misses;
    }

    /** @return walks of the page tables, one per miss */
    public long walks() {
        return walks;
    }

    /** @return page-table entries the walks read: the 1-D references, before any nested translation */
    public long walkReferences() {
        return walkReferences;
    }

    /**
     * Counts one walk.
     *
     * @param references the entries it read
     */
    void walked(int references) {
        walks++;
        walkReferences += references;
    }

    /**
     * The counts under stable names, in a stable order: {@code lookups}, {@code hits}, {@code misses},
     * {@code faults}, {@code fills}, {@code evictions}, {@code walks}, {@code walk-references},
     * {@code flushes}, {@code global-flushes}, {@code invlpg}, {@code shootdowns}.
     *
     * @return a snapshot
     */
    public Map<String, Long> asMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("lookups", lookups);
        m.put("hits", hits);
        m.put("misses", misses);
        m.put("faults", faults);
        m.put("fills", fills);
        m.put("evictions", evictions);
        m.put("walks", walks);
        m.put("walk-references", walkReferences);
        m.put("flushes", flushes);
        m.put("global-flushes", globalFlushes);
        m.put("invlpg", invlpgs);
        m.put("shootdowns", shootdownsReceived.get());
        return m;
    }
}
