package io.pvmm.guest.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The page allocator's role (the buddy allocator and its per-CPU page lists), for the order-0 pages
 * the page-table code asks for. Two zones: lowmem ({@code ZONE_NORMAL}, frames below
 * {@code max_low_pfn}) and highmem. Each vCPU keeps a short list of hot pages per zone, refilled from
 * and drained to the zone in batches, so vCPUs rarely contend on the zone lock, as with
 * {@code per_cpu_pageset}. Freed pages are reused last-in first-out, so a run with one vCPU and a
 * seed is deterministic.
 *
 * <p>Pages are not cleared on free: a {@link Gfp#KERNEL} allocation may return stale contents, as
 * {@code split_large_page} gets from {@code alloc_pages(GFP_KERNEL, 0)}.
 */
public final class FreePool {

    /** Returned when no page can be had. */
    public static final long NO_FRAME = -1;

    private static final VarHandle BITS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PCP_HIGH = 96;
    private static final int PCP_BATCH = 32;

    private final PhysicalMemory memory;
    private final PageFrames pages;
    private final long maxLowPfn;
    private final IntSupplier currentCpu;
    private final AllocFailures failures;
    private final Zone normal;
    private final Zone high;
    private final PerCpu[] cpus;
    /** One bit per frame, set while the frame is free; updated atomically, read with acquire. */
    private final long[] freeBits;
    private final LongAdder allocations = new LongAdder();
    private final LongAdder frees = new LongAdder();

    /**
     * Creates an empty pool; pages join it through {@link #free(long)} ({@code free_all_bootmem}).
     *
     * @param memory     the guest's memory (zeroes pages for {@code __GFP_ZERO})
     * @param pages      frame metadata
     * @param maxLowPfn  the lowmem limit
     * @param vcpus      how many per-CPU lists to keep
     * @param currentCpu answers the calling vCPU
     * @param failures   failure injection
     */
    public FreePool(PhysicalMemory memory, PageFrames pages, long maxLowPfn, int vcpus, IntSupplier currentCpu,
                    AllocFailures failures) {
        this.memory = memory;
        this.pages = pages;
        this.maxLowPfn = maxLowPfn;
        this.currentCpu = currentCpu;
        this.failures = failures;
        long lowFrames = Math.min(maxLowPfn, memory.frames());
        this.normal = new Zone(lowFrames);
        this.high = new Zone(memory.frames() - lowFrames);
        this.cpus = new PerCpu[vcpus];
        for (int i = 0; i < vcpus; i++) {
            cpus[i] = new PerCpu();
        }
        this.freeBits = new long[(int) ((memory.frames() + 63) / 64)];
        memory.attachFreePool(this::isFree);
    }

    /**
     * {@code alloc_page(gfp)}: one page, or {@link #NO_FRAME} when the zones are empty or a failure is
     * injected.
     *
     * @param gfp what kind of page
     * @return the frame, or {@link #NO_FRAME}
     */
    public long alloc(Gfp gfp) {
        if (failures.shouldFail()) {
            return NO_FRAME;
        }
        long pfn = NO_FRAME;
        if (gfp.highmem()) {
            pfn = take(high, true);
        }
        if (pfn == NO_FRAME) {
            pfn = take(normal, false);
        }
        if (pfn == NO_FRAME) {
            return NO_FRAME;
        }
        clearBit(pfn);
        allocations.increment();
        if (gfp.zero()) {
            memory.traps().clearPage(pfn); // clear_page: traps where a hypervisor protects the frame
        }
        return pfn;
    }

    /**
     * {@code __free_page}: returns a page to the pool.
     *
     * @param pfn a frame that is not free
     * @throws KernelOops on a double free, or a reserved page
     */
    public void free(long pfn) {
        if (pages.test(pfn, PageFrames.RESERVED)) {
            throw new KernelOops("freeing reserved frame 0x" + Long.toHexString(pfn));
        }
        if (!setBit(pfn)) {
            throw new KernelOops("double free of frame 0x" + Long.toHexString(pfn));
        }
        frees.increment();
        boolean highmem = pfn >= maxLowPfn;
        PerCpu pcp = cpus[cpu()];
        synchronized (pcp) {
            Stack hot = highmem ? pcp.high : pcp.normal;
            hot.push(pfn);
            if (hot.size > PCP_HIGH) {
                Zone zone = highmem ? high : normal;
                synchronized (zone) {
                    for (int i = 0; i < PCP_BATCH; i++) {
                        zone.free.pushBottom(hot.removeBottom());
                    }
                }
            }
        }
    }

    /**
     * Adds a page during boot ({@code free_all_bootmem}, {@code one_highpage_init}), straight to its zone.
     *
     * @param pfn a frame that was never handed out
     */
    public void addBootPage(long pfn) {
        if (!setBit(pfn)) {
            throw new KernelOops("frame 0x" + Long.toHexString(pfn) + " added to the pool twice");
        }
        Zone zone = pfn >= maxLowPfn ? high : normal;
        synchronized (zone) {
            zone.free.push(pfn);
        }
    }

    private long take(Zone zone, boolean highmem) {
        PerCpu pcp = cpus[cpu()];
        synchronized (pcp) {
            Stack hot = highmem ? pcp.high : pcp.normal;
            if (hot.size == 0) {
                synchronized (zone) {
                    for (int i = 0; i < PCP_BATCH && zone.free.size > 0; i++) {
                        hot.pushBottom(zone.free.pop());
                    }
                }
            }
            return hot.size == 0 ? NO_FRAME : hot.pop();
        }
    }

    private int cpu() {
        int c = currentCpu.getAsInt();
        return c < cpus.length ? c : 0;
    }

    /**
     * Whether a frame is in the pool, on a zone's list or a vCPU's list.
     *
     * @param pfn a frame
     * @return whether it is free
     */
    public boolean isFree(long pfn) {
        if (pfn < 0 || pfn >= memory.frames()) {
            return false;
        }
        return ((long) BITS.getVolatile(freeBits, (int) (pfn >>> 6)) & (1L << (pfn & 63))) != 0;
    }

    private boolean setBit(long pfn) {
        long bit = 1L << (pfn & 63);
        long prev = (long) BITS.getAndBitwiseOr(freeBits, (int) (pfn >>> 6), bit);
        return (prev & bit) == 0;
    }

    private void clearBit(long pfn) {
        BITS.getAndBitwiseAnd(freeBits, (int) (pfn >>> 6), ~(1L << (pfn & 63)));
    }

    /** @return pages free now, across zones and vCPU lists */
    public long freePages() {
        long n = 0;
        for (int i = 0; i < freeBits.length; i++) {
            n += Long.bitCount((long) BITS.getVolatile(freeBits, i));
        }
        return n;
    }

    /** @return pages handed out since boot */
    public long allocations() {
        return allocations.sum();
    }

    /** @return pages returned since boot */
    public long frees() {
        return frees.sum();
    }

    /** @return the failure injector */
    public AllocFailures failures() {
        return failures;
    }

    /** A zone's free list, sized for every frame of the zone so it never grows. */
    private static final class Zone {
        final Stack free;

        Zone(long frames) {
            free = new Stack((int) Math.max(frames, 64));
        }
    }

    private static final class PerCpu {
        final Stack normal = new Stack(PCP_HIGH + 1);
        final Stack high = new Stack(PCP_HIGH + 1);
    }

    /** A growable stack of frame numbers with removal at both ends. */
    private static final class Stack {
        int[] items;
        int bottom;
        int size;

        Stack(int capacity) {
            items = new int[capacity];
        }

        void push(long pfn) {
            ensure();
            items[wrap(bottom + size++)] = (int) pfn;
        }

        void pushBottom(long pfn) {
            ensure();
            bottom = bottom == 0 ? items.length - 1 : bottom - 1;
            items[bottom] = (int) pfn;
            size++;
        }

        long pop() {
            return items[wrap(bottom + --size)];
        }

        long removeBottom() {
            long v = items[bottom];
            bottom = wrap(bottom + 1);
            size--;
            return v;
        }

        /** An index into the ring, for {@code i < 2 * items.length}. */
        private int wrap(int i) {
            return i >= items.length ? i - items.length : i;
        }

        private void ensure() {
            if (size == items.length) {
                int[] grown = new int[items.length * 2];
                for (int i = 0; i < size; i++) {
                    grown[i] = items[(bottom + i) % items.length];
                }
                items = grown;
                bottom = 0;
            }
        }
    }
}
