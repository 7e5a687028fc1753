package io.pvmm.guest.hw;

import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * The guest's RAM: {@code max_pfn} frames of 4 KiB, stored sparsely. A frame costs nothing until a
 * non-zero value is written to it, then exactly one {@code int[1024]} (4 KiB): entries keep their x86
 * layout, 32 bits each in 2-level mode, and two ints (low word first, as the hardware orders a PAE
 * entry) in PAE mode. Data pages are never written by the model, so only page-table frames cost memory.
 *
 * <p>Stores to different entries may come from different vCPUs; a frame's storage is published with a
 * compare-and-set so two first stores to one frame cannot lose each other. Ordering of stores to the
 * same entry is the guest's business (its locks), as on hardware.
 */
public final class PhysicalMemory implements GuestMemory {

    private static final VarHandle FRAME = MethodHandles.arrayElementVarHandle(int[][].class);
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(int[].class);
    private static final int INTS_PER_FRAME = PagingMode.PAGE_SIZE / Integer.BYTES;

    private final PagingMode mode;
    private final boolean pae;
    private final long count;
    private final FrameIndex slots;
    /** Each frame's storage, at {@link FrameIndex#of} its frame number, so vCPUs storing into their own frames share no line. */
    private final int[][] frames;
    private volatile FreeFrames freeFrames = pfn -> false;
    private final StoreTraps traps;

    /**
     * Creates empty memory.
     *
     * @param mode   the paging mode, which fixes the entry width
     * @param frames {@code max_pfn}
     */
    public PhysicalMemory(PagingMode mode, long frames) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.pae = mode == PagingMode.PAE;
        if (frames <= 0 || frames > (1L << 24)) {
            throw new IllegalArgumentException("guest frames must be in (0, 2^24]: " + frames);
        }
        this.count = frames;
        this.slots = FrameIndex.ofElements(frames, Integer.BYTES); // a compressed reference; any reference size is a power of two
        this.frames = new int[slots.length()][];
        this.traps = new StoreTraps(this);
    }

    /**
     * The write protection of these frames, which the guest's own stores check (the accesses through
     * this class are the hypervisor's and do not).
     *
     * @return the frames' write protection
     */
    public StoreTraps traps() {
        return traps;
    }

    /** What answers {@link #isFree(long)}: the free pool, once it exists. */
    @FunctionalInterface
    public interface FreeFrames {
        /**
         * Whether a frame is free.
         *
         * @param pfn a frame
         * @return whether it is in the free pool
         */
        boolean isFree(long pfn);
    }

    /**
     * Connects the free pool, which answers {@link #isFree(long)}.
     *
     * @param freeFrames the pool
     */
    public void attachFreePool(FreeFrames freeFrames) {
        this.freeFrames = Objects.requireNonNull(freeFrames, "freeFrames");
    }

    /** @return the paging mode */
    public PagingMode mode() {
        return mode;
    }

    @Override
    public long readEntry(long entryPa) {
        int[] f = (int[]) FRAME.getAcquire(frames, frameIndex(entryPa));
        if (f == null) {
            return 0;
        }
        int word = (int) (entryPa & (PagingMode.PAGE_SIZE - 1)) >>> 2;
        if (pae) {
            return ((long) f[word + 1] << 32) | (f[word] & 0xFFFF_FFFFL);
        }
        return f[word] & 0xFFFF_FFFFL;
    }

    @Override
    public void writeEntry(long entryPa, long value) {
        int index = frameIndex(entryPa);
        int[] f = (int[]) FRAME.getAcquire(frames, index);
        if (f == null) {
            if (value == 0) {
                return;
            }
            f = materialise(index);
        }
        int word = (int) (entryPa & (PagingMode.PAGE_SIZE - 1)) >>> 2;
        if (pae) {
            f[word + 1] = (int) (value >>> 32);
        }
        f[word] = (int) value;
    }

    /**
     * Sets bits in the low word of a present entry with one locked read-modify-write, as the MMU
     * sets the accessed and dirty bits during a walk ({@code lock cmpxchg}): nothing is stored if the
     * entry is no longer present.
     *
     * @param entryPa the entry's physical address
     * @param bits    bits of the low 32 (the accessed and dirty bits)
     * @return 1 if bits were set, 0 if they were all set already, -1 if the entry is not present
     */
    public int setBitsIfPresent(long entryPa, int bits) {
        int[] f = (int[]) FRAME.getAcquire(frames, frameIndex(entryPa));
        if (f == null) {
            return -1;
        }
        int word = (int) (entryPa & (PagingMode.PAGE_SIZE - 1)) >>> 2;
        while (true) {
            int old = (int) WORD.getVolatile(f, word);
            if ((old & 1) == 0) {
                return -1;
            }
            if ((old & bits) == bits) {
                return 0;
            }
            if (WORD.compareAndSet(f, word, old, old | bits)) {
                return 1;
            }
        }
    }

    private int[] materialise(int index) {
        int[] fresh = new int[INTS_PER_FRAME];
        int[] witness = (int[]) FRAME.compareAndExchangeRelease(frames, index, (int[]) null, fresh);
        return witness == null ? fresh : witness;
    }

    private int frameIndex(long pa) {
        long pfn = pa >>> PagingMode.PAGE_SHIFT;
        if (pa < 0 || pfn >= count) {
            throw new IndexOutOfBoundsException(String.format(
                    "physical address 0x%x is beyond the guest's %d MiB", pa, count >> 8));
        }
        if ((pa & (mode.entryBytes() - 1)) != 0) {
            throw new IllegalArgumentException(String.format("physical address 0x%x is not entry-aligned", pa));
        }
        return slots.of(pfn);
    }

    @Override
    public void clearFrame(long pfn) {
        FRAME.setRelease(frames, frameIndex(pfn << PagingMode.PAGE_SHIFT), (int[]) null);
    }

    /**
     * Copies {@code count} entries from one frame to another ({@code memcpy}), entries in order.
     *
     * @param fromPa first source entry
     * @param toPa   first destination entry
     * @param count  number of entries
     */
    public void copyEntries(long fromPa, long toPa, int count) {
        int size = mode.entryBytes();
        for (int i = 0; i < count; i++) {
            writeEntry(toPa + (long) i * size, readEntry(fromPa + (long) i * size));
        }
    }

    @Override
    public int entryBytes() {
        return mode.entryBytes();
    }

    @Override
    public long frames() {
        return count;
    }

    @Override
    public boolean isFree(long pfn) {
        return freeFrames.isFree(pfn);
    }

    /**
     * Whether a frame has storage, i.e. was ever written with something other than zero since it was
     * last cleared. Used by memory accounting.
     *
     * @param pfn a frame
     * @return whether the frame costs heap
     */
    public boolean isMaterialised(long pfn) {
        return FRAME.getAcquire(frames, slots.of(pfn)) != null;
    }

    /**
     * Counts frames that hold storage.
     *
     * @return the number of materialised frames
     */
    public long materialisedFrames() {
        long n = 0;
        for (int i = 0; i < frames.length; i++) {
            if (FRAME.getAcquire(frames, i) != null) {
                n++;
            }
        }
        return n;
    }
}
