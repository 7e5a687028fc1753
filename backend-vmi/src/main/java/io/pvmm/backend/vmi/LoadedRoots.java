package io.pvmm.backend.vmi;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What each vCPU has loaded in CR3: the root in 2-level mode; in PAE mode the root (a 32-byte PDPT)
 * and the four pmds its entries named at the load, which the processor caches then (the
 * hypervisor's shadow of a PAE root is those four entries). A table a vCPU has loaded must not be
 * released ({@code release-of-loaded-root}).
 *
 * <p><b>Threading:</b> each vCPU writes its own slots; any vCPU reads all of them.
 */
final class LoadedRoots {

    private static final int PDPT_ENTRIES = 4;

    private final PagingMode mode;
    private final GuestMemory memory;
    private final AtomicLongArray root;
    private final AtomicLongArray pmds; // PAE: vCPU * 4 + slot -> pmd frame, or -1

    LoadedRoots(PagingMode mode, GuestMemory memory, int vcpus) {
        this.mode = mode;
        this.memory = memory;
        int n = Math.max(1, vcpus);
        this.root = new AtomicLongArray(n);
        this.pmds = new AtomicLongArray(n * PDPT_ENTRIES);
        for (int i = 0; i < n; i++) {
            root.set(i, -1);
        }
        for (int i = 0; i < pmds.length(); i++) {
            pmds.set(i, -1);
        }
    }

    /**
     * A CR3 load on a vCPU.
     *
     * @param cpu   the vCPU
     * @param pgdPa the root's physical address
     */
    void load(int cpu, long pgdPa) {
        root.set(cpu, pgdPa >>> PagingMode.PAGE_SHIFT);
        if (mode == PagingMode.PAE) {
            for (int i = 0; i < PDPT_ENTRIES; i++) {
                long e = memory.readEntry(pgdPa + (long) i * mode.entryBytes());
                pmds.set(cpu * PDPT_ENTRIES + i, EntryBits.isPresent(e) ? mode.entryPfn(e) : -1);
            }
        }
    }

    /**
     * Which vCPU has a page directory loaded: as its root (2-level) or as a pmd of its PDPT (PAE).
     *
     * @param pfn a page directory's frame
     * @return the first such vCPU, or -1
     */
    int loadedBy(long pfn) {
        if (mode == PagingMode.PAE) {
            for (int i = 0; i < pmds.length(); i++) {
                if (pmds.get(i) == pfn) {
                    return i / PDPT_ENTRIES;
                }
            }
            return -1;
        }
        for (int cpu = 0; cpu < root.length(); cpu++) {
            if (root.get(cpu) == pfn) {
                return cpu;
            }
        }
        return -1;
    }
}
