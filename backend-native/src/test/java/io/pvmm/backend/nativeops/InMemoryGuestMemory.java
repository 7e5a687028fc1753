package io.pvmm.backend.nativeops;

import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import java.util.HashMap;
import java.util.Map;

/**
 * Guest memory as a map from entry address to value, for tests: 4-byte entries in 2-level mode
 * (only the low 32 bits kept) and 8-byte entries in PAE mode. Counts the stores it receives.
 */
final class InMemoryGuestMemory implements GuestMemory {

    private final PagingMode mode;
    private final long frames;
    private final Map<Long, Long> entries = new HashMap<>();
    private int stores;

    InMemoryGuestMemory(PagingMode mode, long frames) {
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
        stores++;
        entries.put(entryPa, mode == PagingMode.TWO_LEVEL ? value & 0xFFFF_FFFFL : value);
    }

    @Override
    public void clearFrame(long pfn) {
        long base = pfn << PagingMode.PAGE_SHIFT;
        entries.keySet().removeIf(pa -> pa >= base && pa < base + PagingMode.PAGE_SIZE);
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
    public boolean isFree(long pfn) {
        return false;
    }

    /** @return a copy of every entry ever stored, by address */
    Map<Long, Long> snapshot() {
        return Map.copyOf(entries);
    }

    /** @return how many stores this memory received */
    int stores() {
        return stores;
    }

    private void check(long entryPa) {
        if (entryPa < 0 || entryPa >= frames << PagingMode.PAGE_SHIFT) {
            throw new IndexOutOfBoundsException("0x" + Long.toHexString(entryPa) + " is beyond " + frames + " frames");
        }
        if (entryPa % mode.entryBytes() != 0) {
            throw new IllegalArgumentException("0x" + Long.toHexString(entryPa) + " is not aligned to " + mode.entryBytes());
        }
    }
}
