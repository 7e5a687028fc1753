package io.pvmm.api;

/**
 * The guest's physical memory as a hypervisor sees it: 4 KiB frames of page-table entries, 4 bytes
 * each in 2-level mode and 8 bytes in PAE mode, in the x86 bit layout of {@link EntryBits}.
 *
 * <p>Accesses through this interface are the hypervisor's: they bypass the guest's mappings and
 * never fault. Frames never written read as zero.
 *
 * <p><b>Threading:</b> reads and stores of different entries may run concurrently; the guest orders
 * accesses to the same entry with its locks, and a backend that touches entries outside the calls
 * it receives (an audit) does so only while the guest is quiescent.
 */
public interface GuestMemory {

    /**
     * Reads the entry at a physical address.
     *
     * @param entryPa a physical address aligned to {@link #entryBytes()}
     * @return the entry, zero-extended to 64 bits in 2-level mode
     * @throws IndexOutOfBoundsException if the address is beyond the guest's memory
     */
    long readEntry(long entryPa);

    /**
     * Stores the entry at a physical address.
     *
     * @param entryPa a physical address aligned to {@link #entryBytes()}
     * @param value   the entry; in 2-level mode only the low 32 bits are kept
     * @throws IndexOutOfBoundsException if the address is beyond the guest's memory
     */
    void writeEntry(long entryPa, long value);

    /**
     * Reads entry {@code index} of frame {@code pfn}.
     *
     * @param pfn   a frame number
     * @param index from 0 to {@code entriesPerFrame() - 1}
     * @return the entry
     */
    default long readEntry(long pfn, int index) {
        return readEntry((pfn << PagingMode.PAGE_SHIFT) + (long) index * entryBytes());
    }

    /**
     * Stores entry {@code index} of frame {@code pfn}.
     *
     * @param pfn   a frame number
     * @param index from 0 to {@code entriesPerFrame() - 1}
     * @param value the entry
     */
    default void writeEntry(long pfn, int index, long value) {
        writeEntry((pfn << PagingMode.PAGE_SHIFT) + (long) index * entryBytes(), value);
    }

    /**
     * Zeroes a whole frame ({@code clear_page}).
     *
     * @param pfn a frame number
     */
    void clearFrame(long pfn);

    /**
     * The size of one entry.
     *
     * @return 4 in 2-level mode, 8 in PAE mode
     */
    int entryBytes();

    /**
     * How many entries one frame holds.
     *
     * @return 1024 in 2-level mode, 512 in PAE mode
     */
    default int entriesPerFrame() {
        return PagingMode.PAGE_SIZE / entryBytes();
    }

    /**
     * The number of frames of guest memory ({@code max_pfn}); frame numbers run from 0 to this minus 1.
     *
     * @return the guest's frame count
     */
    long frames();

    /**
     * Whether a frame is in the guest's free pool (the buddy allocator's free lists, including the
     * per-vCPU lists): free to be handed out as anything. A page table must never be here.
     *
     * <p>May be called from any hook, on any vCPU, as well as from {@code audit()}: a rule such as "a
     * page table is released before its frame returns to the free pool" can only be checked in the
     * release hook, as the frame may be reused long before the next audit.
     *
     * @param pfn a frame number
     * @return whether the frame is free
     */
    boolean isFree(long pfn);
}
