package io.pvmm.guest.cost;

import java.util.Optional;

/**
 * The guest's own work that a cost model prices, whatever the backend: what bare hardware runs too.
 * The model counts each where it happens ({@link WorkCounts#of}); a backend's additions are its
 * {@link io.pvmm.api.CostEvent}s. Each has a stable {@link #id()}, the name profiles use after
 * {@code guest.}.
 */
public enum GuestEvent {

    /** A system call: the trap into the kernel by {@code int 0x80} and the return, beyond the work the call does. */
    SYSCALL("syscall"),
    /** A page fault: the trap into the kernel, {@code do_page_fault}'s entry and {@code handle_mm_fault}, the return; not the page it may clear or copy. */
    PAGE_FAULT("page-fault"),
    /** A {@code clear_page} of a zeroed allocation. */
    CLEAR_PAGE("clear-page"),
    /** A {@code copy_user_highpage} of a copy-on-write break. */
    COPY_PAGE("copy-page"),
    /** A walk of the page tables after a TLB miss, by the hardware. */
    PAGE_WALK("page-walk"),
    /** A TLB flush: a CR3 reload, a global flush or an {@code invlpg}. */
    TLB_FLUSH("tlb-flush"),
    /** A switch of address space: {@code switch_mm}'s CR3 load, beyond the flush it causes. */
    CONTEXT_SWITCH("context-switch");

    private final String id;

    GuestEvent(String id) {
        this.id = id;
    }

    /** @return the stable name, e.g. {@code page-fault} */
    public String id() {
        return id;
    }

    /**
     * The event with a stable name.
     *
     * @param id a name as {@link #id()} gives it
     * @return the event, or empty
     */
    public static Optional<GuestEvent> byId(String id) {
        for (GuestEvent e : values()) {
            if (e.id.equals(id)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
