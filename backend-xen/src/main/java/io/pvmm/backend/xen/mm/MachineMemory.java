package io.pvmm.backend.xen.mm;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The domain's memory as Xen sees it: machine frames, reached from the guest's pseudo-physical
 * memory through the phys-to-machine map ({@code p2m}, the guest's {@code pfn_to_mfn}) and back
 * ({@code m2p}, Xen's {@code machine_to_phys_mapping}). Guest page-table entries hold machine frame
 * numbers; {@link #makeEntry} and {@link #entryValue} are the guest's {@code xen_make_pte} and
 * {@code xen_pte_val}.
 *
 * <p>The map is a seeded permutation of {@code [0, frames)}, never the identity (for two frames or
 * more), so a backend or model that confuses the two kinds of frame number is caught at once.
 *
 * <p><b>Threading:</b> the maps are fixed at construction; entry reads and writes go to the guest's
 * memory, whose threading rules apply.
 */
public final class MachineMemory {

    private final GuestMemory memory;
    private final PagingMode mode;
    private final long frameMask;
    private final int[] p2m;
    private final int[] m2p;

    /**
     * Builds the maps for a domain.
     *
     * @param memory the guest's pseudo-physical memory
     * @param mode   the paging mode
     * @param seed   seed of the permutation ({@code p2m-seed})
     */
    public MachineMemory(GuestMemory memory, PagingMode mode, long seed) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.frameMask = mode.frameMask();
        long frames = memory.frames();
        if (frames <= 0 || frames > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("frames out of range: " + frames);
        }
        int n = (int) frames;
        p2m = new int[n];
        for (int i = 0; i < n; i++) {
            p2m[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p2m[i];
            p2m[i] = p2m[j];
            p2m[j] = t;
        }
        if (n > 1 && p2m[0] == 0 && p2m[1] == 1) { // never the identity on the first frames
            p2m[0] = 1;
            p2m[1] = 0;
        }
        m2p = new int[n];
        for (int i = 0; i < n; i++) {
            m2p[p2m[i]] = i;
        }
    }

    /** @return the paging mode */
    public PagingMode mode() {
        return mode;
    }

    /** @return the guest's pseudo-physical memory */
    public GuestMemory guest() {
        return memory;
    }

    /** @return how many frames the domain owns */
    public long frames() {
        return p2m.length;
    }

    /** @return entries per table frame: 1024 or 512 */
    public int entriesPerFrame() {
        return mode.entriesPerFrame();
    }

    /**
     * Whether the domain owns a machine frame.
     *
     * @param mfn a machine frame number
     * @return whether it is one of the domain's frames
     */
    public boolean owns(long mfn) {
        return mfn >= 0 && mfn < p2m.length;
    }

    /**
     * {@code pfn_to_mfn}.
     *
     * @param pfn a guest frame below {@link #frames()}
     * @return its machine frame
     */
    public long p2m(long pfn) {
        return p2m[(int) pfn];
    }

    /**
     * {@code mfn_to_pfn}.
     *
     * @param mfn a machine frame the domain owns
     * @return its guest frame
     */
    public long m2p(long mfn) {
        return m2p[(int) mfn];
    }

    /**
     * The guest frame of a machine frame for reports: itself when the domain does not own it.
     *
     * @param mfn a machine frame number
     * @return the guest frame, or {@code mfn}
     */
    public long pfnForReport(long mfn) {
        return owns(mfn) ? m2p(mfn) : mfn;
    }

    /**
     * {@code xen_make_pte}: a present entry's guest frame becomes a machine frame; other entries
     * are stored as given.
     *
     * @param value an entry in guest form
     * @return the entry to store
     */
    public long makeEntry(long value) {
        if ((value & EntryBits.PRESENT) == 0) {
            return value;
        }
        long pfn = (value & frameMask) >>> PagingMode.PAGE_SHIFT;
        if (pfn >= p2m.length) {
            return value;
        }
        return (value & ~frameMask) | ((long) p2m[(int) pfn] << PagingMode.PAGE_SHIFT);
    }

    /**
     * {@code xen_pte_val}: the inverse of {@link #makeEntry} on present entries.
     *
     * @param entry a stored entry
     * @return the entry in guest form
     */
    public long entryValue(long entry) {
        if ((entry & EntryBits.PRESENT) == 0) {
            return entry;
        }
        long mfn = (entry & frameMask) >>> PagingMode.PAGE_SHIFT;
        if (mfn >= m2p.length) {
            return entry;
        }
        return (entry & ~frameMask) | ((long) m2p[(int) mfn] << PagingMode.PAGE_SHIFT);
    }

    /**
     * The machine frame a stored entry names ({@code l1e_get_pfn}).
     *
     * @param entry a stored entry
     * @return its frame field
     */
    public long entryMfn(long entry) {
        return (entry & frameMask) >>> PagingMode.PAGE_SHIFT;
    }

    /**
     * Reads entry {@code index} of a machine frame.
     *
     * @param mfn   a machine frame the domain owns
     * @param index an entry index
     * @return the stored entry
     */
    public long read(long mfn, int index) {
        return memory.readEntry(m2p(mfn), index);
    }

    /**
     * Stores entry {@code index} of a machine frame.
     *
     * @param mfn   a machine frame the domain owns
     * @param index an entry index
     * @param value the entry
     */
    public void write(long mfn, int index, long value) {
        memory.writeEntry(m2p(mfn), index, value);
    }

    /**
     * The machine address of a guest-physical address ({@code virt_to_machine}).
     *
     * @param pa a guest-physical address
     * @return the machine address
     */
    public long machineAddress(long pa) {
        return (p2m(pa >>> PagingMode.PAGE_SHIFT) << PagingMode.PAGE_SHIFT) | (pa & (PagingMode.PAGE_SIZE - 1));
    }
}
