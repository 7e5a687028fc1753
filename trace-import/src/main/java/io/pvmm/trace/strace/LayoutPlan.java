package io.pvmm.trace.strace;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where one address-space lineage's 64-bit addresses land in the i386 user space: the executable's image
 * (text at {@code 0x08048000}, then the data that holds what the program's own segments were called on,
 * then bss), the heap right after it, and the mmap area top-down below {@code MMAP_BASE}. Each part is
 * made of islands, maximal runs of addresses the log names; an island keeps its size and its place
 * relative to its neighbours, only the gaps between islands shrink when the whole does not fit.
 */
final class LayoutPlan {

    /** The page size. */
    static final long PAGE = 4096;

    /** Which part of the address space an island is in. */
    enum Part { PROGRAM, HEAP, MMAP }

    /** A run of 64-bit addresses and where it starts in 32 bits; {@code lo32}/{@code hi32} bound what fits. */
    record Island(Part part, long start64, long end64, long start32, long lo32, long hi32) {
    }

    /**
     * A range placed in 32 bits.
     *
     * @param addr    the 32-bit start
     * @param len     the length that fits
     * @param front   how many bytes were cut from the range's front
     * @param clipped whether part of the range did not fit
     */
    record Placement(long addr, long len, long front, boolean clipped) {
    }

    private final TreeMap<Long, Island> islands = new TreeMap<>();
    private final int textPages;
    private final int dataPages;
    private final int bssPages;
    private final long heapStart64;
    private final long heapBase32;
    private final long heapRoom;

    LayoutPlan(List<Island> islands, int textPages, int dataPages, int bssPages, long heapStart64, long heapBase32,
               long heapRoom) {
        islands.forEach(i -> this.islands.put(i.start64(), i));
        this.textPages = textPages;
        this.dataPages = dataPages;
        this.bssPages = bssPages;
        this.heapStart64 = heapStart64;
        this.heapBase32 = heapBase32;
        this.heapRoom = heapRoom;
    }

    /**
     * Places a 64-bit range.
     *
     * @param addr64 its start
     * @param len    its length
     * @return where it lands, or null when none of it fits
     * @throws IllegalStateException if the range is not one the plan was made from
     */
    Placement place(long addr64, long len) {
        long start = addr64 & -PAGE;
        long end = roundUp(addr64 + Math.max(len, 1));
        Map.Entry<Long, Island> e = islands.floorEntry(start);
        if (e == null || Long.compareUnsigned(end, e.getValue().end64()) > 0) {
            throw new IllegalStateException(String.format("range [0x%x, 0x%x) is outside the plan", start, end));
        }
        Island i = e.getValue();
        long from = i.start32() + (start - i.start64());
        long to = from + (end - start);
        long lo = Math.max(from, i.lo32());
        long hi = Math.min(to, i.hi32());
        if (hi <= lo) {
            return null;
        }
        return new Placement(lo, hi - lo, lo - from, lo != from || hi != to);
    }

    /**
     * Places a heap end ({@code brk}'s value).
     *
     * @param value64 the 64-bit value
     * @return the 32-bit value, clipped to the heap's room
     */
    long brk(long value64) {
        long v = heapBase32 + (value64 - heapStart64);
        return Math.max(heapBase32, Math.min(v, heapBase32 + heapRoom));
    }

    /**
     * Whether a heap end fits the heap's room.
     *
     * @param value64 the 64-bit value
     * @return 0 if it fits, -1 if it lies below the heap's start, 1 if beyond its room ({@link #brk} clips it)
     */
    int brkSide(long value64) {
        long v = heapBase32 + (value64 - heapStart64);
        return v < heapBase32 ? -1 : v > heapBase32 + heapRoom ? 1 : 0;
    }

    /** @return the executable's text pages */
    int textPages() {
        return textPages;
    }

    /** @return data pages: what the program's own segments were called on */
    int dataPages() {
        return dataPages;
    }

    /** @return bss pages */
    int bssPages() {
        return bssPages;
    }

    /** @return where the heap starts in 32 bits (the image's end) */
    long heapBase32() {
        return heapBase32;
    }

    /** @return the islands, lowest 64-bit address first */
    List<Island> islands() {
        return List.copyOf(islands.values());
    }

    static long roundUp(long v) {
        return (v + PAGE - 1) & -PAGE;
    }
}
