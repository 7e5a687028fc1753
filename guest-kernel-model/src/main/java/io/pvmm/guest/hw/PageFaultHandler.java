package io.pvmm.guest.hw;

/**
 * The page-fault exception (vector 14) as the hardware raises it into the kernel: an access that the
 * TLB or the walk refuses calls the kernel's handler ({@code do_page_fault}) with what the hardware
 * gives it (CR3, CR2 and the error code's kind of access), then restarts the access, as the faulting
 * instruction is restarted. {@link LinearAccess#access(long, long, Mmu.Access, PageFaultHandler)} is
 * the one place faults are raised.
 */
@FunctionalInterface
public interface PageFaultHandler {

    /** What {@link #pageFault} returns when it fixed the fault: restart the access. */
    int RETRY = 0;

    /**
     * Handles one page fault.
     *
     * @param cr3     the root the access went through
     * @param address the faulting linear address (CR2)
     * @param access  what the access was (the error code's user, write and fetch bits)
     * @param attempt how many times this same access has faulted before (0 for the first fault), so
     *                that the handler can tell a fault it fixed from one it cannot
     * @return {@link #RETRY}, or a negative code of the handler's that ends the access, which
     *         {@link LinearAccess#access(long, long, Mmu.Access, PageFaultHandler)} returns
     */
    int pageFault(long cr3, long address, Mmu.Access access, int attempt);
}
