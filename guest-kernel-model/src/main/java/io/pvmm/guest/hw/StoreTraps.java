package io.pvmm.guest.hw;

import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.TrappedStore;
import io.pvmm.api.WriteProtection;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The hardware's write protection of guest frames, as a hypervisor sets it up for itself: one bit per
 * frame, and the path every guest store into a frame takes to check it. A store into a protected frame
 * happens, then traps to the backend ({@link ParavirtOps#storeTrapped}) with its frame, offset, value,
 * vCPU and kind; the backend may unprotect the frame there, and the rest of a block operation then runs
 * untrapped.
 *
 * <p>The guest's stores reach it from three places: the paravirt writes ({@code set_pte} and the rest,
 * after the backend stored the entry), the kernel's direct entry stores ({@code KernelStore}), and its
 * data stores: {@link #clearPage} ({@code clear_page} of a zeroed allocation and of bootmem) and
 * {@link #copyPage} ({@code copy_user_highpage} of a copy-on-write break).
 *
 * <p><b>Cost:</b> until a backend protects its first frame every check is one read of a field that
 * never changes, so frames nobody protects cost what they cost before write protection existed.
 *
 * <p><b>Threading:</b> bits are set and cleared atomically; a full fence separates each store from
 * its check, and {@link #protect} from what its caller reads next, so a store either traps or is seen
 * by a backend that protects the frame and then reads it, as a store and its fault are one
 * instruction on hardware.
 */
public final class StoreTraps implements WriteProtection {

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final PhysicalMemory memory;
    private final long[] words;
    private volatile boolean armed;
    private volatile ParavirtOps target;
    private volatile IntSupplier cpu = () -> 0;
    private final LongAdder pagesCleared = new LongAdder();
    private final LongAdder pagesCopied = new LongAdder();

    /**
     * Write protection for a guest's memory, nothing protected.
     *
     * @param memory the guest's memory
     */
    StoreTraps(PhysicalMemory memory) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.words = new long[(int) ((memory.frames() + 63) >>> 6)];
    }

    /**
     * Connects the backend that receives the trapped stores, and what answers which vCPU stores.
     *
     * @param ops the backend
     * @param cpu the calling thread's vCPU
     */
    public void attach(ParavirtOps ops, IntSupplier cpu) {
        this.target = Objects.requireNonNull(ops, "ops");
        this.cpu = Objects.requireNonNull(cpu, "cpu");
    }

    @Override
    public void protect(long pfn) {
        int w = word(pfn);
        long bit = 1L << (pfn & 63);
        long old;
        do {
            old = (long) WORDS.getVolatile(words, w);
        } while ((old & bit) == 0 && !WORDS.compareAndSet(words, w, old, old | bit));
        armed = true;
        VarHandle.fullFence(); // what the caller reads of the frame next is read after the bit is set
    }

    @Override
    public void unprotect(long pfn) {
        int w = word(pfn);
        long bit = 1L << (pfn & 63);
        long old;
        do {
            old = (long) WORDS.getVolatile(words, w);
        } while ((old & bit) != 0 && !WORDS.compareAndSet(words, w, old, old & ~bit));
    }

    @Override
    public boolean isProtected(long pfn) {
        if (pfn < 0 || pfn >= memory.frames()) {
            return false;
        }
        return (((long) WORDS.getAcquire(words, (int) (pfn >>> 6))) & (1L << (pfn & 63))) != 0;
    }

    /**
     * Whether a store into the frame traps: false at the cost of one field read until something is
     * protected.
     *
     * @param pfn a frame
     * @return whether it is protected
     */
    public boolean traps(long pfn) {
        return armed && isProtected(pfn);
    }

    /**
     * An entry has been stored by a single instruction; traps if its frame is protected.
     *
     * @param pa    the entry's physical address
     * @param value the value stored
     */
    public void entryStored(long pa, long value) {
        if (armed) {
            deliver(pa, value, TrappedStore.Kind.ENTRY);
        }
    }

    /**
     * A word of a block operation has been stored; traps if its frame is protected.
     *
     * @param pa    the word's physical address
     * @param value the value stored
     */
    public void blockStored(long pa, long value) {
        if (armed) {
            deliver(pa, value, TrappedStore.Kind.BLOCK);
        }
    }

    /**
     * {@code clear_page}: zeroes a frame. An unprotected frame is released at once; a protected one is
     * zeroed word by word, each word trapping, until the backend unprotects it, and the rest at once.
     *
     * @param pfn the frame
     */
    public void clearPage(long pfn) {
        pagesCleared.increment();
        int size = memory.entryBytes();
        long base = pfn << PagingMode.PAGE_SHIFT;
        if (traps(pfn)) {
            for (int off = 0; off < PagingMode.PAGE_SIZE && isProtected(pfn); off += size) {
                memory.writeEntry(base + off, 0);
                deliver(base + off, 0, TrappedStore.Kind.BLOCK);
            }
            memory.clearFrame(pfn);
            return;
        }
        memory.clearFrame(pfn);
        if (protectedMeanwhile(pfn)) {
            for (int off = 0; off < PagingMode.PAGE_SIZE && isProtected(pfn); off += size) {
                deliver(base + off, 0, TrappedStore.Kind.BLOCK);
            }
        }
    }

    /**
     * Whether a frame found unprotected before a block store was protected by another vCPU while the
     * store ran. On hardware the protection is checked by each store, so the stores after it trap; here
     * the block landed at once, and its words are delivered now, after a fence: either this read sees
     * the protecting vCPU's bit, or that vCPU's read of the frame, after its own fence in
     * {@link #protect}, sees the block (the two fences order the bit and the block as Dekker's
     * algorithm orders its flags).
     */
    private boolean protectedMeanwhile(long pfn) {
        if (!armed) {
            return false;
        }
        VarHandle.fullFence();
        return isProtected(pfn);
    }

    /**
     * {@code copy_user_highpage(to, from)}: the copy of a copy-on-write break. The model keeps no data
     * in user pages, so an unprotected destination costs nothing; a protected one receives the source's
     * words one by one, each trapping, until the backend unprotects it.
     *
     * @param to   the new page
     * @param from the page copied
     */
    public void copyPage(long to, long from) {
        pagesCopied.increment();
        if (!traps(to) && !protectedMeanwhile(to)) {
            return;
        }
        int size = memory.entryBytes();
        long base = to << PagingMode.PAGE_SHIFT;
        long src = from << PagingMode.PAGE_SHIFT;
        for (int off = 0; off < PagingMode.PAGE_SIZE && isProtected(to); off += size) {
            long v = memory.readEntry(src + off);
            memory.writeEntry(base + off, v);
            deliver(base + off, v, TrappedStore.Kind.BLOCK);
        }
    }

    /** @return {@link #clearPage} calls so far: the guest's {@code clear_page}s, which a cost model prices */
    public long pagesCleared() {
        return pagesCleared.sum();
    }

    /** @return {@link #copyPage} calls so far: the guest's copy-on-write copies */
    public long pagesCopied() {
        return pagesCopied.sum();
    }

    private void deliver(long pa, long value, TrappedStore.Kind kind) {
        long pfn = pa >>> PagingMode.PAGE_SHIFT;
        // On hardware a store and its protection check are one instruction. Here the store has landed and
        // the check is a later read; without a fence the store may still be invisible to another vCPU
        // when this read finds the frame unprotected (store buffering, allowed by x86-TSO and by the Java
        // memory model), and a backend that protects the frame and then reads it misses the store.
        VarHandle.fullFence();
        ParavirtOps ops = target;
        if (ops != null && isProtected(pfn)) {
            ops.storeTrapped(new TrappedStore(pfn, (int) (pa & (PagingMode.PAGE_SIZE - 1)), value, cpu.getAsInt(), kind));
        }
    }

    private int word(long pfn) {
        if (pfn < 0 || pfn >= memory.frames()) {
            throw new IndexOutOfBoundsException("frame 0x" + Long.toHexString(pfn) + " is beyond the guest's "
                    + memory.frames() + " frames");
        }
        return (int) (pfn >>> 6);
    }
}
