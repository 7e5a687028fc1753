package io.pvmm.api;

/**
 * One guest store into a write-protected frame, as the hypervisor's page-fault handler decodes it:
 * the frame, the byte offset of the entry-sized word stored, the value, the vCPU that stored it, and
 * whether the instruction stored one entry or was part of a string operation over the frame. Given
 * to {@link ParavirtOps#storeTrapped}. Since SPI 1.1.
 *
 * @param pfn    the protected frame
 * @param offset the byte offset of the stored word in the frame, aligned to the entry size
 *               ({@link GuestMemory#entryBytes()})
 * @param value  the word stored, an entry in the guest's bit layout; zero-extended in 2-level mode
 * @param vcpu   the vCPU that stored it ({@link BackendContext#currentCpu()} of the storing thread)
 * @param kind   one entry, or one word of a block operation
 */
public record TrappedStore(long pfn, int offset, long value, int vcpu, Kind kind) {

    /** What the trapping instruction was, as an emulator decoding it sees. */
    public enum Kind {
        /**
         * A single entry-sized store ({@code mov}, {@code xchg}, {@code cmpxchg8b}): a page-table
         * entry written through a paravirt write, or the kernel's in-place change of one entry.
         */
        ENTRY,
        /**
         * One word of a string operation over the frame ({@code rep stos}, {@code rep movs}):
         * {@code clear_page}, {@code copy_page}, a {@code memset} or {@code memcpy}. Delivered word by
         * word for as long as the frame stays protected; the rest of the operation runs untrapped once
         * the backend unprotects the frame.
         */
        BLOCK
    }

    /**
     * The physical address of the stored entry.
     *
     * @return {@code pfn << PAGE_SHIFT | offset}
     */
    public long pa() {
        return (pfn << PagingMode.PAGE_SHIFT) | offset;
    }
}
