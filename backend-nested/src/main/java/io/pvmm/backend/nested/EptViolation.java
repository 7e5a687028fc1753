package io.pvmm.backend.nested;

import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtViolation;

/**
 * The EPT-violation exit (basic exit reason 48, Intel SDM vol. 3C, §27.2.1 and Appendix C): the
 * guest touched a guest-physical address its nested table does not map, and the processor left the
 * guest with the address in the VMCS. The host handles it as KVM's {@code tdp_page_fault} does for
 * RAM: find the memory slot ({@code gfn_to_memslot}; none past the guest's RAM), get a host page for
 * the frame, install the leaf ({@code __direct_map}), and resume the guest, which restarts the
 * access. With {@code large-host-pages}, the whole 2 MiB region around the frame is mapped at once.
 *
 * <p><b>Threading:</b> from the vCPU that took the exit; the table's lock serialises two vCPUs that
 * fault on one frame, and the second finds it mapped.
 */
final class EptViolation {

    private final NestedTable table;
    private final NestedCounters counters;
    private final long guestFrames;

    /**
     * @param table       the nested table
     * @param counters    where exits are counted
     * @param guestFrames the guest's RAM in frames
     */
    EptViolation(NestedTable table, NestedCounters counters, long guestFrames) {
        this.table = table;
        this.counters = counters;
        this.guestFrames = guestFrames;
    }

    /**
     * Handles the exit for {@code gpa}.
     *
     * @param gpa the guest-physical address the exit reported
     * @throws ParavirtViolation {@code gpa-outside-guest} beyond the guest's RAM, {@code
     *                           host-out-of-memory} if no host frame is left
     */
    void handle(long gpa) {
        long gfn = gpa >>> PagingMode.PAGE_SHIFT;
        if (gpa < 0 || gfn >= guestFrames) {
            throw new ParavirtViolation(NestedRule.GPA_OUTSIDE_GUEST, gfn,
                    String.format("EPT violation at guest-physical 0x%x, which is no memory of the guest", gpa),
                    "a frame below 0x" + Long.toHexString(guestFrames), "frame 0x" + Long.toHexString(gfn));
        }
        int mapped = table.map(gpa);
        if (mapped < 0) {
            throw new ParavirtViolation(NestedRule.HOST_OUT_OF_MEMORY, gfn,
                    "the host has no memory left to back guest frame 0x" + Long.toHexString(gfn),
                    "a free host frame", "none");
        }
        counters.violation(mapped, table.largePages());
    }
}
