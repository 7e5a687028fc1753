package io.pvmm.guest.memory;

import io.pvmm.guest.hw.FrameIndex;
import io.pvmm.guest.hw.PhysicalMemory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The page allocator's role (the buddy allocator and its per-CPU page lists, 2.6.21
 * {@code mm/page_alloc.c}), for the order-0 pages the page-table code asks for. Two zones: lowmem
 * ({@code ZONE_NORMAL}, frames below {@code max_low_pfn}) and highmem. Each vCPU keeps, per zone, a
 * hot and a cold list ({@code per_cpu_pageset}), set up by {@code setup_pageset} from the zone's
 * {@code zone_batchsize}: hot {@code high = 6 * batch}, refilled and drained {@code batch} pages at a
 * time; cold {@code high = 2 * batch}, {@code batch / 2} at a time. {@code free_hot_cold_page} adds a
 * page at the head of the list and, once the list holds {@code high}, gives its {@code batch} oldest
 * back to the zone ({@code free_pages_bulk}); {@code buffered_rmqueue} takes the head, refilling an
 * empty list with {@code batch} pages from the zone ({@code rmqueue_bulk}). So a page freed on a vCPU
 * is the next one that vCPU allocates, and vCPUs rarely contend on a zone's lock. A page on a per-CPU
 * list is free ({@link #isFree}), as for the kernel's own accounting. A run with one vCPU and a seed is
 * deterministic.
 *
 * <p>Pages are not cleared on free: a {@link Gfp#KERNEL} allocation may return stale contents, as
 * {@code split_large_page} gets from {@code alloc_pages(GFP_KERNEL, 0)}.
 */
public final class FreePool {

    /** Returned when no page can be had. */
    public static final long NO_FRAME = -1;

    private static final VarHandle BITS = MethodHandles.arrayElementVarHandle(long[].class);

    private final PhysicalMemory memory;
    private final PageFrames pages;
    private final long maxLowPfn;
    private final IntSupplier currentCpu;
    private final AllocFailures failures;
    private final Zone normal;
    private final Zone high;
    private final PerCpu[] cpus;
    /**
     * One bit per frame, set while the frame is free; updated atomically, read with acquire. A frame's
     * bit is where {@link FrameIndex} puts it, so the runs of frames on two vCPUs' lists have their
     * bits in different cache lines.
     */
    private final FrameIndex bitIndex;
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
            cpus[i] = new PerCpu(zoneBatchsize(lowFrames), zoneBatchsize(memory.frames() - lowFrames));
        }
        this.bitIndex = FrameIndex.ofBits(memory.frames());
        this.freeBits = new long[bitIndex.length() / Long.SIZE];
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
            pfn = take(high, true, gfp.cold());
        }
        if (pfn == NO_FRAME) {
            pfn = take(normal, false, gfp.cold());
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
     * {@code __free_page}: returns a page to the pool, hot ({@code free_hot_page}).
     *
     * @param pfn a frame that is not free
     * @throws KernelOops on a double free, or a reserved page
     */
    public void free(long pfn) {
        freeHotCold(pfn, false);
    }

    /**
     * {@code free_cold_page}: returns a page that is not cache-hot, to the vCPU's cold list.
     *
     * @param pfn a frame that is not free
     * @throws KernelOops on a double free, or a reserved page
     */
    public void freeCold(long pfn) {
        freeHotCold(pfn, true);
    }

    /** {@code free_hot_cold_page}. */
    private void freeHotCold(long pfn, boolean cold) {
        if (pages.test(pfn, PageFrames.RESERVED)) {
            throw new KernelOops("freeing reserved frame 0x" + Long.toHexString(pfn));
        }
        if (!setBit(pfn)) {
            throw new KernelOops("double free of frame 0x" + Long.toHexString(pfn));
        }
        frees.increment();
        boolean highmem = pfn >= maxLowPfn;
        PerCpu pcp = cpus[cpu()];
        synchronized (pcp) { // local_irq_save
            Pcp list = pcp.list(highmem, cold);
            list.pages.push(pfn); // list_add: at the head
            if (list.pages.size >= list.high) {
                Zone zone = highmem ? high : normal;
                synchronized (zone) { // free_pages_bulk, under zone->lock: the oldest, from the tail
                    for (int i = 0; i < list.batch && list.pages.size > 0; i++) {
                        zone.free.push(list.pages.removeBottom()); // the buddy's order-0 list: reused first
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

    /** {@code buffered_rmqueue} for order 0: the head of the vCPU's list, refilled by {@code rmqueue_bulk} when empty. */
    private long take(Zone zone, boolean highmem, boolean cold) {
        PerCpu pcp = cpus[cpu()];
        synchronized (pcp) {
            Pcp list = pcp.list(highmem, cold);
            if (list.pages.size == 0) {
                synchronized (zone) {
                    for (int i = 0; i < list.batch && zone.free.size > 0; i++) {
                        list.pages.pushBottom(zone.free.pop()); // list_add_tail
                    }
                }
            }
            return list.pages.size == 0 ? NO_FRAME : list.pages.pop();
        }
    }

    /**
     * {@code zone_batchsize} (2.6.21): about a thousandth of the zone, at most 512 KiB, divided by 4,
     * then clamped to {@code 2^n - 1} ("more likely to have suboptimal cache aliasing properties" at a
     * power of 2).
     *
     * @param presentPages the zone's pages
     * @return the zone's {@code batch}, 0 for a zone under 4 MiB (whose lists then hold no page)
     */
    public static int zoneBatchsize(long presentPages) {
        long batch = presentPages / 1024;
        if (batch * 4096 > 512 * 1024) {
            batch = (512 * 1024) / 4096;
        }
        batch /= 4; /* We effectively *= 4 below */
        if (batch < 1) {
            batch = 1;
        }
        long x = batch + batch / 2;
        int fls = 64 - Long.numberOfLeadingZeros(x);
        return (int) ((1L << (fls - 1)) - 1);
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
        int b = bitIndex.of(pfn);
        return ((long) BITS.getVolatile(freeBits, b >>> 6) & (1L << (b & 63))) != 0;
    }

    private boolean setBit(long pfn) {
        int b = bitIndex.of(pfn);
        long bit = 1L << (b & 63);
        long prev = (long) BITS.getAndBitwiseOr(freeBits, b >>> 6, bit);
        return (prev & bit) == 0;
    }

    private void clearBit(long pfn) {
        int b = bitIndex.of(pfn);
        BITS.getAndBitwiseAnd(freeBits, b >>> 6, ~(1L << (b & 63)));
    }

    /**
     * @param cpu a vCPU
     * @return pages on its per-CPU lists now, hot and cold, of both zones ({@code pcp->count})
     */
    public int perCpuPages(int cpu) {
        PerCpu pcp = cpus[cpu];
        synchronized (pcp) {
            return pcp.normalHot.pages.size + pcp.normalCold.pages.size + pcp.highHot.pages.size + pcp.highCold.pages.size;
        }
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

    /** {@code struct per_cpu_pageset}: one vCPU's hot and cold lists of each zone. */
    private static final class PerCpu {
        final Pcp normalHot;
        final Pcp normalCold;
        final Pcp highHot;
        final Pcp highCold;

        PerCpu(int normalBatch, int highBatch) {
            normalHot = Pcp.hot(normalBatch);
            normalCold = Pcp.cold(normalBatch);
            highHot = Pcp.hot(highBatch);
            highCold = Pcp.cold(highBatch);
        }

        Pcp list(boolean highmem, boolean cold) {
            return highmem ? (cold ? highCold : highHot) : (cold ? normalCold : normalHot);
        }
    }

    /** {@code struct per_cpu_pages}: a list, its {@code high} mark and its {@code batch}. */
    private static final class Pcp {
        final Stack pages;
        final int high;
        final int batch;

        private Pcp(int high, int batch) {
            this.high = high;
            this.batch = batch;
            this.pages = new Stack(Math.max(high, 1) + 1);
        }

        /** {@code setup_pageset}, {@code pcp[0]}: {@code high = 6 * batch}, {@code batch = max(1, batch)}. */
        static Pcp hot(int batch) {
            return new Pcp(6 * batch, Math.max(1, batch));
        }

        /** {@code setup_pageset}, {@code pcp[1]}: {@code high = 2 * batch}, {@code batch = max(1, batch / 2)}. */
        static Pcp cold(int batch) {
            return new Pcp(2 * batch, Math.max(1, batch / 2));
        }
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
