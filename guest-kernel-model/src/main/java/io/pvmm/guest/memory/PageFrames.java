package io.pvmm.guest.memory;

import io.pvmm.guest.hw.FrameIndex;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The guest's {@code mem_map}: what the kernel knows about each frame beyond its contents — the
 * flags the model needs ({@code PG_reserved}, {@code PG_private}, and whether the frame currently
 * serves as a page table, {@code NR_PAGETABLE}'s accounting), {@code page_private} (the count of
 * changed ptes in a split large-page table) and the reference count of mapped pages.
 *
 * <p>Costs 9 bytes a frame, whatever the frame holds: a byte of flags, an int of reference count, an
 * int of {@code page_private}. Flags are read with acquire semantics and changed with atomic bitwise
 * operations, so no update allocates.
 *
 * <p>Each array holds a frame's element where {@link FrameIndex} puts it, so the pages two vCPUs
 * work on (runs of neighbouring frames from their own per-CPU lists) have their flags and counts in
 * different cache lines, as their 32-byte {@code struct page}s are in the kernel's {@code mem_map}.
 */
public final class PageFrames {

    /** {@code PG_reserved}: boot memory (kernel image, bootmem page tables); never freed. */
    public static final int RESERVED = 1;
    /** {@code PG_private}: {@code page_private} holds a count (split large-page tables). */
    public static final int PRIVATE = 1 << 1;
    /** The frame serves as a page table (pte page, pmd, pgd page). */
    public static final int PAGETABLE = 1 << 2;

    private static final VarHandle FLAGS = MethodHandles.arrayElementVarHandle(byte[].class);

    private final FrameIndex flagIndex;
    private final FrameIndex intIndex;
    private final byte[] flags;
    private final AtomicIntegerArray refs;
    private final int[] privateData;

    /**
     * Creates metadata for every frame, all clear.
     *
     * @param frames {@code max_pfn}
     */
    public PageFrames(long frames) {
        this.flagIndex = FrameIndex.ofElements(frames, Byte.BYTES);
        this.intIndex = FrameIndex.ofElements(frames, Integer.BYTES);
        this.flags = new byte[flagIndex.length()];
        this.refs = new AtomicIntegerArray(intIndex.length());
        this.privateData = new int[intIndex.length()];
    }

    /**
     * Tests a flag.
     *
     * @param pfn  a frame
     * @param flag one of the flag constants
     * @return whether it is set
     */
    public boolean test(long pfn, int flag) {
        return ((byte) FLAGS.getVolatile(flags, flagIndex.of(pfn)) & flag) != 0;
    }

    /**
     * Sets a flag.
     *
     * @param pfn  a frame
     * @param flag one of the flag constants
     */
    public void set(long pfn, int flag) {
        FLAGS.getAndBitwiseOr(flags, flagIndex.of(pfn), (byte) flag);
    }

    /**
     * Clears a flag.
     *
     * @param pfn  a frame
     * @param flag one of the flag constants
     */
    public void clear(long pfn, int flag) {
        FLAGS.getAndBitwiseAnd(flags, flagIndex.of(pfn), (byte) ~flag);
    }

    /**
     * {@code page_private(page)}.
     *
     * @param pfn a frame
     * @return the private count
     */
    public int privateCount(long pfn) {
        return privateData[intIndex.of(pfn)];
    }

    /**
     * Sets {@code page_private(page)}. The caller holds the lock that protects the frame's use
     * ({@code cpa_lock} for split tables).
     *
     * @param pfn   a frame
     * @param value the new count
     */
    public void setPrivateCount(long pfn, int value) {
        privateData[intIndex.of(pfn)] = value;
    }

    /**
     * {@code get_page}: takes a reference on a mapped page.
     *
     * @param pfn a frame
     * @return the new count
     */
    public int get(long pfn) {
        return refs.incrementAndGet(intIndex.of(pfn));
    }

    /**
     * {@code put_page}: drops a reference.
     *
     * @param pfn a frame
     * @return the new count; 0 means the page should be freed
     */
    public int put(long pfn) {
        int n = refs.decrementAndGet(intIndex.of(pfn));
        if (n < 0) {
            throw new KernelOops("put_page on frame 0x" + Long.toHexString(pfn) + " with no reference");
        }
        return n;
    }

    /**
     * {@code page_count(page)}.
     *
     * @param pfn a frame
     * @return the reference count
     */
    public int count(long pfn) {
        return refs.get(intIndex.of(pfn));
    }

    /**
     * Counts frames with a flag set.
     *
     * @param flag one of the flag constants
     * @return how many frames have it
     */
    public long countWith(int flag) {
        long n = 0;
        for (int i = 0; i < flags.length; i++) {
            if (((byte) FLAGS.getVolatile(flags, i) & flag) != 0) {
                n++;
            }
        }
        return n;
    }
}
