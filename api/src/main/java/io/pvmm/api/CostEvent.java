package io.pvmm.api;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a backend adds to the guest's own work, in a vocabulary every backend shares, so that one cost
 * model can price any of them: a backend counts its events ({@link ParavirtOps#costEvents()}) beside
 * its own free-form {@link ParavirtOps#counters() counters}, and a cost profile gives each event its
 * cycles. The guest's own work (its traps into the kernel, page faults, page clears and copies, its
 * walks and TLB flushes on bare hardware) is not an event: the model counts and prices it.
 *
 * <p>Each event has a stable {@link #id()}, the name cost profiles and reports use. Events are only
 * ever added.
 *
 * @since 1.1
 */
public enum CostEvent {

    /** A synchronous call into the hypervisor: a Xen hypercall, a VMI call that reaches the monitor. */
    HYPERCALL("hypercall"),
    /** One entry the hypervisor checked before it accepted it: an {@code mmu_update} request, an entry of a table being pinned. */
    VALIDATED_ENTRY("validated-entry"),
    /** A guest store that faulted into the hypervisor, which decoded and emulated it (Xen's writable page tables, a shadow pager's write-protect trap). */
    TRAP_AND_EMULATE("trap-and-emulate"),
    /** Any other entry into the monitor: a hidden page fault, a fault reflected to the guest, an intercepted CR3 load, an EPT violation. */
    VM_EXIT("vm-exit"),
    /** One shadow entry written from a guest entry, translated through the physical-to-machine map. */
    SHADOW_UPDATE("shadow-update"),
    /** A TLB flush the backend performs or intercepts on the guest's behalf. */
    TLB_FLUSH("tlb-flush"),
    /** A TLB miss that costs the backend beyond the guest's own walk: a 2-D walk under nested paging. */
    TLB_MISS("tlb-miss"),
    /** A memory reference a walk makes beyond the guest's own entries: the host-table references of a 2-D walk. */
    WALK_REFERENCE("walk-reference"),
    /** A pin or an unpin of a root, beyond the entries it validates: {@code MMUEXT_PIN_*}, {@code MMUEXT_UNPIN_TABLE}. */
    PIN("pin"),
    /** A batch of calls issued as one: a Xen multicall, a flush of VMI's queue of deferred updates. */
    MULTICALL("multicall");

    private final String id;

    CostEvent(String id) {
        this.id = id;
    }

    /** @return the event's stable name: lower-case words joined by dashes, e.g. {@code vm-exit} */
    public String id() {
        return id;
    }

    /**
     * The event with a stable name.
     *
     * @param id a name as {@link #id()} gives it
     * @return the event, or empty when no event has that name
     */
    public static Optional<CostEvent> byId(String id) {
        for (CostEvent e : values()) {
            if (e.id.equals(id)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * Counts as a backend reports them, in the events' order, with every given event present.
     *
     * @param counts alternating events and counts: {@code HYPERCALL, 12L, PIN, 3L}
     * @return an unmodifiable map in {@link CostEvent} order
     * @throws IllegalArgumentException if the arguments do not alternate, or a count is negative
     */
    public static Map<CostEvent, Long> counts(Object... counts) {
        if (counts.length % 2 != 0) {
            throw new IllegalArgumentException("events and counts must alternate");
        }
        Map<CostEvent, Long> m = new EnumMap<>(CostEvent.class);
        for (int i = 0; i < counts.length; i += 2) {
            if (!(counts[i] instanceof CostEvent e) || !(counts[i + 1] instanceof Long n)) {
                throw new IllegalArgumentException("argument " + i + " is not an event followed by a long count");
            }
            if (n < 0) {
                throw new IllegalArgumentException(e.id + " has a negative count: " + n);
            }
            m.merge(e, n, Long::sum);
        }
        return Collections.unmodifiableMap(m);
    }
}
