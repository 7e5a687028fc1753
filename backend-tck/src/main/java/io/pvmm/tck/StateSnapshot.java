package io.pvmm.tck;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.hw.PhysicalMemory;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a refused call must leave as it found: every entry of the guest's physical memory (as a digest
 * over the frames that hold anything), which frames are free, and the backend's counters. Taken before
 * and after a call the backend refuses; a refusal that changed any of it is not a clean refusal, even
 * for a backend whose {@code audit()} finds nothing because it checks nothing.
 *
 * @param memoryDigest a digest of every non-zero entry, with its address
 * @param freeFrames   the number of frames in the free pool
 * @param counters     the backend's counters, sorted by name
 */
record StateSnapshot(long memoryDigest, long freeFrames, Map<String, Long> counters) {

    StateSnapshot {
        counters = Map.copyOf(Objects.requireNonNull(counters, "counters"));
    }

    /** Takes the snapshot of a booted guest and its backend. */
    static StateSnapshot of(GuestKernel kernel) {
        PhysicalMemory memory = kernel.physicalMemory();
        int entryBytes = memory.entryBytes();
        int entries = (int) (PagingMode.PAGE_SIZE / entryBytes);
        long digest = 1;
        long free = 0;
        for (long pfn = 0; pfn < memory.frames(); pfn++) {
            if (memory.isFree(pfn)) {
                free++;
            }
            if (!memory.isMaterialised(pfn)) {
                continue;
            }
            long base = pfn << PagingMode.PAGE_SHIFT;
            for (int i = 0; i < entries; i++) {
                long pa = base + (long) i * entryBytes;
                long value = memory.readEntry(pa);
                if (value != 0) {
                    digest = digest * 0x9E3779B97F4A7C15L + (pa ^ Long.rotateLeft(value, 17));
                }
            }
        }
        return new StateSnapshot(digest, free, new TreeMap<>(kernel.ops().counters()));
    }
}
