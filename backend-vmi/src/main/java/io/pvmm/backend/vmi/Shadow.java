package io.pvmm.backend.vmi;

import io.pvmm.api.PagingMode;

/**
 * One shadow frame: the hypervisor's copy of one typed guest table, entries translated to machine
 * frames, in the hypervisor's own memory — 4 KiB, an {@code int[1024]} in 2-level mode and a
 * {@code long[512]} in PAE mode. A root built by {@code allocPdClone} also remembers its clone source
 * and range, for the audit's stale-entry check.
 *
 * <p><b>Threading:</b> not thread-safe by itself; {@link ShadowPager} reads and writes a shadow only
 * under its frame's lock (the audit runs at quiescent points).
 */
final class Shadow {

    /** {@link #cloneSource()} of a shadow not built by a clone. */
    static final long NO_SOURCE = -1;

    private final long pfn;
    private final int type;
    private final int[] narrow;
    private final long[] wide;
    private final long cloneSource;
    private final int cloneStart;
    private final int cloneCount;

    /**
     * A zeroed shadow.
     *
     * @param pfn         the guest frame it shadows
     * @param type        the frame's type ({@link PageTypeChecker})
     * @param mode        the paging mode, which fixes the entry width
     * @param cloneSource the clone source's frame, or {@link #NO_SOURCE}
     * @param cloneStart  the first cloned entry
     * @param cloneCount  how many entries were cloned
     */
    Shadow(long pfn, int type, PagingMode mode, long cloneSource, int cloneStart, int cloneCount) {
        this.pfn = pfn;
        this.type = type;
        if (mode == PagingMode.PAE) {
            this.narrow = null;
            this.wide = new long[mode.entriesPerFrame()];
        } else {
            this.narrow = new int[mode.entriesPerFrame()];
            this.wide = null;
        }
        this.cloneSource = cloneSource;
        this.cloneStart = cloneStart;
        this.cloneCount = cloneCount;
    }

    /** @return the guest frame this shadow follows */
    long pfn() {
        return pfn;
    }

    /** @return the frame's type when the shadow was built */
    int type() {
        return type;
    }

    /** @return how many entries the shadow holds: 1024 or 512 */
    int size() {
        return narrow != null ? narrow.length : wide.length;
    }

    /**
     * An entry.
     *
     * @param index the entry
     * @return its value, zero-extended in 2-level mode
     */
    long get(int index) {
        return narrow != null ? narrow[index] & 0xFFFF_FFFFL : wide[index];
    }

    /**
     * Stores an entry.
     *
     * @param index the entry
     * @param value its value; only the low 32 bits are kept in 2-level mode
     */
    void set(int index, long value) {
        if (narrow != null) {
            narrow[index] = (int) value;
        } else {
            wide[index] = value;
        }
    }

    /** @return whether {@code allocPdClone} built this shadow */
    boolean isClone() {
        return cloneSource != NO_SOURCE;
    }

    /** @return the clone source's frame, or {@link #NO_SOURCE} */
    long cloneSource() {
        return cloneSource;
    }

    /** @return the first entry copied from the clone source */
    int cloneStart() {
        return cloneStart;
    }

    /** @return how many entries were copied from the clone source */
    int cloneCount() {
        return cloneCount;
    }
}
