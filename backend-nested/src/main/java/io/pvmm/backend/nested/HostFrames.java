package io.pvmm.backend.nested;

import io.pvmm.api.PagingMode;

/**
 * The host's physical memory, by frame, and who owns each frame: the host itself (its kernel and
 * hypervisor, the first {@value #HOST_RESERVED_MIB} MiB), the nested table's own frames, or this
 * guest's RAM. Frames are handed out in order, tables from the bottom of the pool and guest RAM
 * after them, so a run is reproducible and a guest frame's host frame is not its own number.
 *
 * <p><b>Threading:</b> guarded by the caller ({@link NestedTable} allocates under its lock); reads
 * for the audit happen at quiescent points.
 */
final class HostFrames {

    /** Who owns a host frame. */
    enum Owner {
        /** Not allocated. */
        FREE,
        /** The host's kernel and hypervisor: never guest-visible. */
        HOST,
        /** A table of the nested (EPT) paging structure: the hypervisor's, never guest-visible. */
        EPT_TABLE,
        /** RAM allocated to this guest. */
        GUEST
    }

    /** The host's own memory below the pool: the host kernel and hypervisor. */
    static final int HOST_RESERVED_MIB = 16;
    private static final int FRAMES_PER_MIB = (1 << 20) / PagingMode.PAGE_SIZE;

    private final byte[] owner;
    private final long tablesEnd;
    private long nextTable;
    private long nextGuest;
    private long guestFrames;
    private long tableFrames;

    /**
     * Lays out host memory for a guest of {@code guestFrames} frames: the host's reserved part, a
     * pool of table frames large enough for a nested table of the whole guest in 4 KiB pages, then
     * the guest's RAM, rounded up to 2 MiB so large host pages fit.
     *
     * @param guestFrames the guest's RAM in frames
     */
    HostFrames(long guestFrames) {
        long reserved = (long) HOST_RESERVED_MIB * FRAMES_PER_MIB;
        long tables = guestFrames / EptEntry.ENTRIES + 8; // a PT per 512 frames, plus PD, PDPT, PML4
        long guest = (guestFrames + EptEntry.ENTRIES - 1) / EptEntry.ENTRIES * EptEntry.ENTRIES;
        long tablesRounded = (tables + EptEntry.ENTRIES - 1) / EptEntry.ENTRIES * EptEntry.ENTRIES;
        this.owner = new byte[Math.toIntExact(reserved + tablesRounded + guest)];
        for (long i = 0; i < reserved; i++) {
            owner[(int) i] = (byte) Owner.HOST.ordinal();
        }
        this.nextTable = reserved;
        this.tablesEnd = reserved + tablesRounded;
        this.nextGuest = tablesEnd;
    }

    /** @return a zeroed frame for a nested table, or -1 if the table pool is spent */
    long allocTable() {
        if (nextTable == tablesEnd) {
            return -1;
        }
        owner[(int) nextTable] = (byte) Owner.EPT_TABLE.ordinal();
        tableFrames++;
        return nextTable++;
    }

    /**
     * Allocates guest RAM: one frame, or 512 contiguous, aligned ones for a 2 MiB host page.
     *
     * @param count 1 or 512
     * @return the first frame, or -1 if the host has no more memory for the guest
     */
    long allocGuest(int count) {
        long first = (nextGuest + count - 1) / count * count;
        if (first + count > owner.length) {
            return -1;
        }
        for (long i = nextGuest; i < first; i++) {
            owner[(int) i] = (byte) Owner.HOST.ordinal(); // alignment padding stays the host's
        }
        for (long i = first; i < first + count; i++) {
            owner[(int) i] = (byte) Owner.GUEST.ordinal();
        }
        nextGuest = first + count;
        guestFrames += count;
        return first;
    }

    /**
     * Who owns a host frame.
     *
     * @param hfn a host frame number
     * @return its owner; {@link Owner#FREE} beyond host memory too
     */
    Owner owner(long hfn) {
        return hfn < 0 || hfn >= owner.length ? Owner.FREE : Owner.values()[owner[(int) hfn]];
    }

    /** @return host frames in all */
    long frames() {
        return owner.length;
    }

    /** @return frames allocated to the guest */
    long guestFrames() {
        return guestFrames;
    }

    /** @return frames holding nested tables */
    long tableFrames() {
        return tableFrames;
    }
}
