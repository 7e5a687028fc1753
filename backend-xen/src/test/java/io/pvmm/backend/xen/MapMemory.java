package io.pvmm.backend.xen;

import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import java.util.BitSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small guest memory for unit tests: entries in a map, frames free or not as the test says.
 * Thread-safe for entries of different addresses, like the real thing.
 */
public final class MapMemory implements GuestMemory {

    private final PagingMode mode;
    private final long frames;
    private final ConcurrentHashMap<Long, Long> entries = new ConcurrentHashMap<>();
    private final BitSet free = new BitSet();

    /**
     * @param mode   the paging mode (entry width)
     * @param frames how many frames
     */
    public MapMemory(PagingMode mode, long frames) {
        this.mode = mode;
        this.frames = frames;
    }

    @Override
    public long readEntry(long entryPa) {
        check(entryPa);
        return entries.getOrDefault(entryPa, 0L);
    }

    @Override
    public void writeEntry(long entryPa, long value) {
        check(entryPa);
        long v = mode == PagingMode.PAE ? value : value & 0xFFFF_FFFFL;
        if (v == 0) {
            entries.remove(entryPa);
        } else {
            entries.put(entryPa, v);
        }
    }

    @Override
    public void clearFrame(long pfn) {
        for (int i = 0; i < entriesPerFrame(); i++) {
            entries.remove((pfn << PagingMode.PAGE_SHIFT) + (long) i * entryBytes());
        }
    }

    @Override
    public int entryBytes() {
        return mode.entryBytes();
    }

    @Override
    public long frames() {
        return frames;
    }

    @Override
    public synchronized boolean isFree(long pfn) {
        return free.get((int) pfn);
    }

    /**
     * Puts a frame in the free pool or takes it out.
     *
     * @param pfn  the frame
     * @param isFree whether it is free
     */
    public synchronized void setFree(long pfn, boolean isFree) {
        free.set((int) pfn, isFree);
    }

    private void check(long pa) {
        if (pa < 0 || (pa >>> PagingMode.PAGE_SHIFT) >= frames) {
            throw new IndexOutOfBoundsException("0x" + Long.toHexString(pa));
        }
        if ((pa & (entryBytes() - 1)) != 0) {
            throw new IllegalArgumentException("unaligned 0x" + Long.toHexString(pa));
        }
    }
}
