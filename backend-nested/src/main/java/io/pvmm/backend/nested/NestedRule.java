package io.pvmm.backend.nested;

import io.pvmm.api.ViolationRule;

/**
 * The rules the nested backend enforces. The first two refuse an EPT-violation exit the host cannot
 * serve (KVM's {@code kvm_mmu_page_fault} / {@code tdp_page_fault} path: a guest-physical address
 * with no memory slot, or no host memory to back it); the rest are found only by {@link NestedAudit},
 * the invariants of the host's table. Ids are stable.
 */
enum NestedRule implements ViolationRule {

    /** {@code gfn_to_memslot} finds no slot: the guest reached past its RAM, and there is no device here. */
    GPA_OUTSIDE_GUEST("gpa-outside-guest",
            "the guest accesses a guest-physical address beyond its RAM"),

    /** {@code mmu_topup_memory_caches} / the page allocation fails. */
    HOST_OUT_OF_MEMORY("host-out-of-memory",
            "the host has no frame left to back a guest frame or a nested table"),

    /** Every nested mapping is backed by a frame the host gave this guest. */
    NESTED_MAPPING_UNOWNED("nested-mapping-unowned",
            "a nested leaf maps a host frame that is not allocated to the guest"),

    /** The guest must never reach the host's own memory: its kernel, or the nested tables. */
    GUEST_MAPS_HOST_MEMORY("guest-maps-host-memory",
            "a nested leaf maps host memory outside the guest (the host's own, or a nested table)"),

    /** A table entry must point to one of the table's own frames. */
    NESTED_TABLE_UNOWNED("nested-table-unowned",
            "a nested table entry points to a frame that is not one of the host's table frames"),

    /** One host frame backs one guest frame. */
    HOST_FRAME_ALIASED("host-frame-aliased",
            "two guest frames are backed by the same host frame"),

    /** Intel SDM vol. 3C, §28.2.3.1: an entry the processor refuses with an EPT misconfiguration exit. */
    EPT_MISCONFIGURATION("ept-misconfiguration",
            "a nested entry has bits the processor refuses (write without read, a reserved memory type or bit)"),

    /** Guest RAM the host gave stays accounted for. */
    GUEST_FRAMES_UNACCOUNTED("guest-frames-unaccounted",
            "the host frames allocated to the guest differ from those the nested table maps");

    private final String id;
    private final String summary;

    NestedRule(String id, String summary) {
        this.id = id;
        this.summary = summary;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String summary() {
        return summary;
    }
}
