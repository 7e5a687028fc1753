package io.pvmm.backend.vmi;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small in-memory guest for unit tests: a {@link GuestMemory} over a map of frames, a free pool the
 * test fills by hand, vCPUs chosen per thread, and the VMI backend created on it through its provider.
 */
final class TestGuest implements BackendContext {

    /** Frames of the test guest: 16 MiB, four p2m blocks. */
    static final long FRAMES = 4096;
    /** {@code swapper_pg_dir}'s frame. */
    static final long SWAPPER = 0x10;
    /** The provider's default {@code p2m-seed}. */
    static final long DEFAULT_SEED = 7;
    /**
     * A data frame the default p2m moves, so a translated entry always differs from the guest's (a
     * guest this small has the same block permutation in both modes).
     */
    static final long DATA = movedFrame();

    private static long movedFrame() {
        P2m p2m = new P2m(PagingMode.TWO_LEVEL, FRAMES, DEFAULT_SEED);
        for (long pfn = 0x345; pfn < FRAMES; pfn += 1024) {
            if (p2m.mfn(pfn) != pfn) {
                return pfn;
            }
        }
        throw new AssertionError("the default p2m moves no block");
    }

    private final PagingMode mode;
    private final int vcpus;
    private final BackendSettings settings;
    private final Memory memory;
    private final ThreadLocal<Integer> cpu = ThreadLocal.withInitial(() -> 0);

    TestGuest(PagingMode mode) {
        this(mode, 1, Map.of());
    }

    TestGuest(PagingMode mode, int vcpus, Map<String, String> settings) {
        this.mode = mode;
        this.vcpus = vcpus;
        this.settings = BackendSettings.of(new VmiProvider().settings(), settings);
        this.memory = new Memory(mode);
    }

    /** @return a new VMI backend on this guest, through the provider */
    VmiOps ops() {
        return (VmiOps) new VmiProvider().create(this);
    }

    @Override
    public GuestLayout layout() {
        return new GuestLayout(mode, SWAPPER << PagingMode.PAGE_SHIFT, FRAMES, FRAMES, 0xFEFFF000L,
                0xF8800000L, 0xFE000000L, true, true, mode == PagingMode.PAE);
    }

    @Override
    public Memory memory() {
        return memory;
    }

    @Override
    public BackendSettings settings() {
        return settings;
    }

    @Override
    public int vcpus() {
        return vcpus;
    }

    @Override
    public int currentCpu() {
        return cpu.get();
    }

    /** Makes the calling thread vCPU {@code n}. */
    void becomeCpu(int n) {
        cpu.set(n);
    }

    /** @return the physical address of entry {@code index} of frame {@code pfn} */
    long pa(long pfn, int index) {
        return (pfn << PagingMode.PAGE_SHIFT) + (long) index * mode.entryBytes();
    }

    /** @return a present entry pointing to {@code pfn} with the given flags */
    long entry(long pfn, long flags) {
        return mode.makeEntry(pfn, flags);
    }

    /** @return a link to a pte page, {@code _PAGE_TABLE | pa} */
    long link(long ptePfn) {
        return entry(ptePfn, EntryBits.PAGE_TABLE);
    }

    /** @return the translation the backend must hold for a guest entry (default seed) */
    long translated(long guestEntry) {
        return new P2m(mode, FRAMES, DEFAULT_SEED).translate(guestEntry);
    }

    /** The guest memory: frames materialised on first store, a free set the test fills. */
    static final class Memory implements GuestMemory {
        private final PagingMode mode;
        private final Map<Long, long[]> frames = new ConcurrentHashMap<>();
        private final Set<Long> free = ConcurrentHashMap.newKeySet();

        Memory(PagingMode mode) {
            this.mode = mode;
        }

        @Override
        public long readEntry(long entryPa) {
            long[] f = frames.get(check(entryPa));
            return f == null ? 0 : f[index(entryPa)];
        }

        @Override
        public void writeEntry(long entryPa, long value) {
            long[] f = frames.computeIfAbsent(check(entryPa), k -> new long[mode.entriesPerFrame()]);
            f[index(entryPa)] = mode == PagingMode.PAE ? value : value & 0xFFFF_FFFFL;
        }

        @Override
        public void clearFrame(long pfn) {
            frames.remove(pfn);
        }

        @Override
        public int entryBytes() {
            return mode.entryBytes();
        }

        @Override
        public long frames() {
            return FRAMES;
        }

        @Override
        public boolean isFree(long pfn) {
            return free.contains(pfn);
        }

        /** Puts a frame in the free pool. */
        void free(long pfn) {
            free.add(pfn);
        }

        /** Takes a frame out of the free pool. */
        void allocate(long pfn) {
            free.remove(pfn);
        }

        private long check(long pa) {
            long pfn = pa >>> PagingMode.PAGE_SHIFT;
            if (pa < 0 || pfn >= FRAMES) {
                throw new IndexOutOfBoundsException("0x" + Long.toHexString(pa));
            }
            return pfn;
        }

        private int index(long pa) {
            return (int) ((pa & (PagingMode.PAGE_SIZE - 1)) / mode.entryBytes());
        }
    }
}
