package io.pvmm.guest.bugs;

import java.util.Arrays;
import java.util.Optional;

/**
 * Guest bugs the model can commit on purpose ({@code guest.bug=NAME}), each breaking one rule the
 * seed patch or the kernel relies on, so tests can prove which backend catches which bug. All are off
 * by default.
 */
public enum GuestBug {

    /**
     * {@code __pte_free_tlb} hands a pte page to the mmu_gather without {@code paravirt_release_pt}.
     * Breaks "we must release pages before returning the page to any free pool": the frame reaches the
     * free pool still announced as a page table.
     */
    SKIP_RELEASE_PT("skip-release-pt",
            "__pte_free_tlb frees a pte page without paravirt_release_pt",
            "every announced pte page is released before it returns to a free pool"),

    /**
     * {@code __pte_free_tlb} returns the pte page to the free pool at once, then calls
     * {@code paravirt_release_pt}: the release comes after the frame is free (and may already be
     * reused).
     */
    FREE_BEFORE_RELEASE("free-before-release",
            "__pte_free_tlb returns the pte page to the free pool before paravirt_release_pt",
            "release_pt comes before the page is handed to any free pool (here: the mmu_gather)"),

    /**
     * {@code pgd_ctor} copies {@code swapper_pg_dir}'s kernel half and calls
     * {@code paravirt_alloc_pd_clone} without holding {@code pgd_lock}, and joins {@code pgd_list}
     * only afterwards; a concurrent {@code set_pmd_pte} can change a kernel entry in between. Breaks
     * the seed's "must happen under lock". The bug yields the vCPU between the copy and the hook to
     * make the race likely.
     */
    CLONE_OUTSIDE_LOCK("clone-outside-lock",
            "pgd_ctor clones the kernel half and calls alloc_pd_clone outside pgd_lock",
            "the clone, alloc_pd_clone and pgd_list_add happen under pgd_lock (\"must happen under lock\")"),

    /**
     * {@code pmd_populate} links the new pte page with a plain store instead of {@code set_pmd}: a
     * page-table write the hypervisor is never told about.
     */
    WRITE_TABLE_DIRECTLY("write-table-directly",
            "pmd_populate links a pte page with a plain store instead of set_pmd",
            "every page-table write goes through paravirt_ops"),

    /**
     * {@code pgd_free} never returns the root to {@code pgd_cache}: the slab never destroys it, so
     * {@code pgd_dtor}'s {@code release_pd} never comes and the root stays on {@code pgd_list}.
     */
    LEAK_PGD("leak-pgd",
            "pgd_free never returns the pgd to pgd_cache",
            "every announced root is released once its address space is gone and the cache is shrunk"),

    /**
     * {@code tlb_flush_mmu} frees the pages of a zapped range without flushing the TLB
     * ({@code flush_tlb_mm}) first: the vCPU that has the address space loaded keeps using the
     * cleared ptes' translations, to frames that are back in the free pool, until something else
     * flushes. Breaks the mmu_gather's reason for being: "no CPU may still use a page when it is
     * freed".
     */
    SKIP_FLUSH("skip-flush",
            "tlb_flush_mmu frees the gathered pages without flush_tlb_mm",
            "a page is freed only after every TLB that may map it was flushed"),

    /**
     * {@code copy_one_pte}'s {@code ptep_set_wrprotect} clears the parent's RW bit in place at fork and
     * leaves out the {@code pte_update} that tells the hypervisor so: a hypervisor that shadows the
     * ptes keeps the writable entry until the pte is next written through a hook.
     */
    MISSING_PTE_UPDATE("missing-pte-update",
            "ptep_set_wrprotect at fork changes the parent's pte in place without pte_update",
            "an in-place pte change is followed by pte_update"),

    /**
     * {@code pmd_populate} links the new pte page with {@code set_pte}, the pte write, instead of
     * {@code set_pmd}: a page-directory entry written as if it were a pte. Xen emulates a trapped
     * store only into a typed L1, so the store into the pinned directory faults.
     */
    STORE_TO_PINNED_DIRECTORY("store-to-pinned-directory",
            "pmd_populate links a pte page with set_pte instead of set_pmd",
            "a pmd or root entry is written with set_pmd or set_pgd, never set_pte"),

    /**
     * {@code pgd_alloc} (PAE) links each user pmd with {@code set_pgd} without announcing it with
     * {@code paravirt_alloc_pd} first; its {@code release_pd} at {@code pgd_free} still comes. In
     * 2-level mode there is no pmd page and the bug does nothing.
     */
    MISSING_ALLOC_PD("missing-alloc-pd",
            "pgd_alloc links a PAE pmd with set_pgd without alloc_pd",
            "every pmd is announced with alloc_pd before a root links it"),

    /**
     * {@code exit_mm} does not keep the reference the scheduler holds for {@code active_mm} (2.6.21:
     * the {@code atomic_inc(&mm->mm_count)} before {@code mmput} left out), so {@code mmput}'s
     * {@code mmdrop} frees the pgd ({@code pgd_free}) while the exiting task still runs on it, its
     * root in CR3; {@code finish_task_switch}'s {@code mmdrop} after the switch away then drops a
     * reference that is already gone. In the model the CPU holds that reference from the switch, so
     * the bug drops it in {@code exit_mm}.
     */
    MMDROP_BEFORE_SWITCH("mmdrop-before-switch",
            "exit_mm drops the active_mm reference, freeing the pgd while its root is still in CR3",
            "an mm's last reference goes after the CPU switched away from it (finish_task_switch's mmdrop)"),

    /**
     * {@code free_pte_range} unlinks the pte page with a plain store, {@code native_pmd_clear}, not
     * the paravirt {@code pmd_clear}, then releases it ({@code pte_free_tlb}): the guest's pmd is
     * clear, but a hypervisor that shadows the page directory was never told, and is asked to release
     * a pte page its shadow still links.
     */
    CLEAR_PMD_DIRECTLY("clear-pmd-directly",
            "free_pte_range clears the pmd with a plain store instead of pmd_clear, then releases the pte page",
            "a pte page is released only after pmd_clear unlinked it (free_pte_range: pmd_clear, then pte_free_tlb)");

    private final String settingName;
    private final String what;
    private final String rule;

    GuestBug(String settingName, String what, String rule) {
        this.settingName = settingName;
        this.what = what;
        this.rule = rule;
    }

    /** @return the name used in {@code guest.bug} */
    public String settingName() {
        return settingName;
    }

    /** @return what the buggy guest does */
    public String what() {
        return what;
    }

    /** @return the kernel rule it breaks */
    public String rule() {
        return rule;
    }

    /**
     * Finds a bug by its setting name.
     *
     * @param name a setting name
     * @return the bug, or empty
     */
    public static Optional<GuestBug> fromSettingName(String name) {
        return Arrays.stream(values()).filter(b -> b.settingName.equals(name)).findFirst();
    }
}
