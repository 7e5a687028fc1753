package io.pvmm.backend.xen;

import io.pvmm.api.ViolationRule;

/**
 * The rules the Xen backend enforces, by stable id. Most are the hypervisor's ({@code xen/arch/x86/mm.c},
 * Xen 3.1): a refused hypercall, a refused trapped write, a pin whose validation fails. A few are the
 * guest port's own bookkeeping of the frames announced to it (the SPI contract of the lifecycle hooks),
 * and three are audit findings.
 *
 * <p>A pin (or a {@code NEW_BASEPTR} that has to validate a tree) reports every validation failure as
 * {@link #PIN_VALIDATION_FAILED}, naming the offending entry and, in its message, the underlying rule;
 * only {@link #SHARED_PAE_KERNEL_PMD} keeps its own id there, because it names a platform mistake
 * rather than a bad entry. A single-entry update ({@code mmu_update}, {@code update_va_mapping}, a
 * trapped write) reports the underlying rule itself.
 */
public enum XenRule implements ViolationRule {

    // ---- validation of entries (get_page_from_l1e / l2e / l3e, mod_l*_entry) ----

    /** An L1 entry, or a pin, would map writable a frame typed as a page table. */
    TYPED_FRAME_MAPPED_WRITABLE("typed-frame-mapped-writable",
            "no entry may map writable a frame whose type is a page table with references"),
    /** A frame is asked to be a page table of one level while it is in use as writable or as another level. */
    PAGE_TABLE_TYPE_CONFLICT("page-table-type-conflict",
            "a frame changes type only when its type count is 0: a writable page or a table of another level cannot be linked as a table"),
    /** An entry carries bits Xen forbids: PSE or GLOBAL (3.1's BASE_DISALLOW_MASK), bits above the frame mask, or in a PAE root anything but PRESENT and the available bits. */
    DISALLOWED_ENTRY_BITS("disallowed-entry-bits",
            "entries carry no PSE or GLOBAL bit and no bit above the frame mask; PAE root entries carry only PRESENT and the available bits"),
    /** An entry names a machine frame outside the domain's memory. */
    FRAME_NOT_OWNED("frame-not-owned",
            "every present entry names a machine frame the domain owns"),
    /** An update of a root or kernel-pmd slot that belongs to Xen (2-level from 0xFC000000, PAE from 0xF5800000, and a PAE root's slot 3). */
    XEN_PRIVATE_SLOT_UPDATE("xen-private-slot-update",
            "the guest updates no slot of Xen's private area"),
    /** A PAE root's slot-3 pmd is referenced by another root too. */
    SHARED_PAE_KERNEL_PMD("shared-pae-kernel-pmd",
            "each PAE root owns the pmd in its slot 3 (\"PAE L3 3rd slot is shared\")"),
    /** A pin, or the validation of a new base, found a bad entry somewhere in the tree. */
    PIN_VALIDATION_FAILED("pin-validation-failed",
            "a pinned table and every table it links validate"),

    // ---- mmuext_op ----

    /** MMUEXT_PIN_L*_TABLE of a frame that is already pinned. */
    PIN_OF_PINNED_FRAME("pin-of-pinned-frame", "a frame is pinned at most once"),
    /** MMUEXT_UNPIN_TABLE of a frame that is not pinned. */
    UNPIN_OF_UNPINNED_FRAME("unpin-of-unpinned-frame", "only a pinned frame is unpinned"),
    /** update_va_mapping of an address that no L1 entry of the current address space maps. */
    UPDATE_VA_MAPPING_UNMAPPED("update-va-mapping-unmapped",
            "update_va_mapping names an address with an L1 entry in the vCPU's current address space"),

    // ---- writes the hardware traps ----

    /**
     * {@code ptwr_do_page_fault}: the guest stored, without a hypercall (a hook-less store, or
     * {@code xen_set_pte}'s plain store), to a read-only frame that is not a typed L1 — a pinned L2 or
     * L3 included ("Page-directory entries cannot be written"); only L1 writes are emulated, any other
     * fault goes to the guest, which oopses.
     */
    DIRECT_WRITE_TO_READ_ONLY_FRAME("direct-write-to-read-only-frame",
            "the guest writes page tables other than typed L1s only with hypercalls"),

    // ---- the guest port's lifecycle bookkeeping ----

    /** allocPt/allocPd/allocPdClone of a frame that is announced already (released never, or freed without release). */
    ANNOUNCE_OF_ANNOUNCED_FRAME("announce-of-announced-frame",
            "a frame is announced as a page table once until it is released"),
    /** releasePt/releasePd of a frame that was not announced as that kind of table. */
    RELEASE_OF_UNANNOUNCED_FRAME("release-of-unannounced-frame",
            "only an announced page table is released, by the hook of its kind"),
    /** releasePt/releasePd of a frame that is still pinned. */
    RELEASE_OF_PINNED_FRAME("release-of-pinned-frame",
            "a pinned table is unpinned before it is released"),
    /** releasePt/releasePd of a frame whose page-table type still has references. */
    RELEASE_OF_TYPED_FRAME("release-of-typed-frame",
            "a table is unlinked from every validated table before it is released"),
    /** releasePt/releasePd of a frame that is already in the guest's free pool. */
    RELEASE_OF_FREE_FRAME("release-of-free-frame",
            "a table is released before it returns to any free pool"),
    /** Lazy MMU mode entered while active. */
    LAZY_MODE_NESTED("lazy-mode-nested", "lazy MMU mode is never nested"),
    /** Lazy MMU mode left while not active. */
    LAZY_MODE_UNPAIRED("lazy-mode-unpaired", "lazy MMU mode is left only after it was entered"),

    // ---- audit findings ----

    /** A frame's type count differs from the references the live state holds. */
    TYPE_COUNT_MISMATCH("type-count-mismatch",
            "each type count equals the references held by validated tables, pins and vCPU bases"),
    /** A frame is typed as a page table and a validated L1 maps it writable. */
    PAGE_TABLE_MAPPED_WRITABLE("page-table-mapped-writable",
            "no frame is both a page table and mapped writable"),
    /** A typed, pinned, read-only or still-announced frame is in the guest's free pool. */
    PAGE_TABLE_IN_FREE_POOL("page-table-in-free-pool",
            "no page table, pinned frame, read-only frame or announced frame is in the guest's free pool");

    private final String id;
    private final String summary;

    XenRule(String id, String summary) {
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
