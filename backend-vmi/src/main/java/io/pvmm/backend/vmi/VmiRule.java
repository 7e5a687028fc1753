package io.pvmm.backend.vmi;

import io.pvmm.api.ViolationRule;

/**
 * The rules the VMI backend enforces: {@code vmi.c}'s page-type debug checks
 * ({@code vmi_set_page_type}, {@code vmi_check_page_type}), the clone and release contracts of the
 * page allocation hooks, lazy MMU mode pairing, and the shadow invariants its audit checks. Ids are
 * stable: reports, documentation and tests refer to them.
 *
 * <p>The first fourteen are raised by the hooks, as a {@link io.pvmm.api.ParavirtViolation} (or
 * recorded, with {@code on-violation=record}); {@link #RELEASE_OF_LINKED_TABLE} is also an audit
 * finding; the last four are found only by {@link VmiAudit}.
 */
public enum VmiRule implements ViolationRule {

    /** {@code vmi_set_page_type}: allocating a page that already has a type is a {@code BUG}. */
    ALLOC_OF_TYPED_FRAME("alloc-of-typed-frame",
            "a frame is announced as a page table while it already is one"),

    /** {@code vmi_set_page_type}: releasing a page whose type is NORMAL is a {@code BUG}. */
    RELEASE_OF_UNTYPED_FRAME("release-of-untyped-frame",
            "a release names a frame that is not a page table"),

    /** {@code release_page(pfn, VMI_PAGE_L1)} on a page directory, or {@code VMI_PAGE_L2} on a pte page. */
    RELEASE_LEVEL_MISMATCH("release-level-mismatch",
            "releasePt names a page directory, or releasePd a pte page"),

    /** "We must release pages before returning the page to any free pool." */
    RELEASE_OF_FREE_FRAME("release-of-free-frame",
            "a page table is released after its frame went back to the guest's free pool"),

    /** {@code vmi_check_page_type}: {@code (type & page->type) == 0} is a {@code BUG}. */
    WRITE_LEVEL_MISMATCH("write-level-mismatch",
            "a page-table write's level does not match the type of the frame it targets"),

    /** {@code vmi_check_page_type}: the PAE flag of the write and of the page must agree. */
    WRITE_PAE_MISMATCH("write-pae-mismatch",
            "a page-table write's PAE flag differs from the frame's"),

    /** {@code vmi_allocate_pd_clone}: {@code check_page_type(clonepfn, L2)}. */
    CLONE_SOURCE_NOT_L2("clone-source-not-l2",
            "allocPdClone names a clone source that is not a live page directory"),

    /** {@code check_zeroed_page} for a clone: "only the userspace pdes need to be zeroed". */
    CLONE_USER_PART_NOT_EMPTY("clone-user-part-not-empty",
            "the user part of a root announced with allocPdClone is not empty"),

    /** "Entry should never be nested." */
    LAZY_MODE_NESTED("lazy-mode-nested",
            "lazy MMU mode is entered on a vCPU that is already in it"),

    /** "Entry and exits should always be paired." */
    LAZY_MODE_UNPAIRED("lazy-mode-unpaired",
            "lazy MMU mode is left on a vCPU that is not in it"),

    /**
     * {@code vmi_check_page_type}: {@code (type & page->type) == 0} is a {@code BUG} for a page whose
     * type is NORMAL too — a pte or pmd write ({@code vmi_set_pte}, {@code vmi_set_pte_at},
     * {@code vmi_set_pmd}, {@code vmi_pte_clear}, {@code vmi_pmd_clear}, {@code vmi_update_pte}) to a
     * frame never announced, once the boot allocations are applied.
     */
    WRITE_TO_UNANNOUNCED_FRAME("write-to-unannounced-frame",
            "a pte or pmd write targets a frame that was never announced as a page table"),

    /**
     * {@code vmi_set_pud} ({@code set_pte} at {@code VMI_PAGE_PDP}): the hypervisor caches a PAE
     * root's entries and shadows the pmd each names, so a present entry must name a pmd announced with
     * {@code allocate_page(VMI_PAGE_L2)} first, as {@code pgd_alloc} does ({@code alloc_pd} before
     * {@code set_pgd}).
     */
    LINK_TO_UNANNOUNCED_PMD("link-to-unannounced-pmd",
            "a PAE root entry links a pmd that was never announced with allocPd"),

    /**
     * {@code release_page} of a table a vCPU has loaded: a 2-level root in its CR3, or a PAE pmd its
     * loaded PDPT names (the processor caches the four PDPT entries at CR3 load). Linux drops the
     * last user of an mm ({@code switch_mm}, {@code leave_mm}) before {@code pgd_dtor} or
     * {@code pgd_free} releases its tables.
     */
    RELEASE_OF_LOADED_ROOT("release-of-loaded-root",
            "a root, or a pmd of a PAE root, is released while a vCPU still has that root loaded"),

    /**
     * The shadow hierarchy: {@code release_page(pfn, VMI_PAGE_L1)} drops a shadow that live shadow
     * L2 entries may still link. The guest may release a pte page whose links it overwrites within
     * the same operation ({@code __change_page_attr}: {@code release_pt}, then {@code revert_page}
     * rewrites the pmd of every root), but the links must be gone by the next quiescent point and
     * before the frame is announced again ({@code free_pte_range} clears the pmd first).
     */
    RELEASE_OF_LINKED_TABLE("release-of-linked-table",
            "a pte page is released while a live page directory's shadow still links it"),

    /** The shadow invariant: every shadow equals its guest table, translated. */
    SHADOW_MISMATCH("shadow-mismatch",
            "a shadow entry differs from the translation of the guest's entry"),

    /** A shadow pager can only follow links to tables it was told about. */
    LINK_TO_UNTYPED_FRAME("link-to-untyped-frame",
            "a present non-leaf entry of a page directory points to a frame that is not a pte page"),

    /** "We must release pages before returning the page to any free pool." */
    TYPED_FRAME_IN_FREE_POOL("typed-frame-in-free-pool",
            "a page table's frame is in the guest's free pool"),

    /** A clone must copy the source's kernel half as it was under {@code pgd_lock}. */
    STALE_KERNEL_ENTRY("stale-kernel-entry",
            "a present kernel entry of a cloned root differs from its clone source's");

    private final String id;
    private final String summary;

    VmiRule(String id, String summary) {
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
