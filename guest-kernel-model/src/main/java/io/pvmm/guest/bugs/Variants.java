package io.pvmm.guest.bugs;

import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The buggy variants of kernel steps, for the bugs that do a step otherwise rather than leave it out.
 * Each is called from its bug's one site ({@link BugSites#commits}) in place of the correct step,
 * which stays in the kernel function as the kernel has it. A bug that only leaves a step out has no
 * variant here: its site skips the step. The steps a variant takes are handed to it by its site, so
 * this package knows the kernel's code only through them.
 */
public final class Variants {

    /** A write of one page-table entry: a plain store, or one of the paravirt writes. */
    @FunctionalInterface
    public interface EntryWrite {
        /**
         * Writes the entry.
         *
         * @param pa    the entry's physical address
         * @param value the new entry
         */
        void write(long pa, long value);
    }

    private Variants() {
    }

    /**
     * {@link GuestBug#CLONE_OUTSIDE_LOCK}: {@code pgd_ctor} copies the kernel half and calls
     * {@code alloc_pd_clone} without {@code pgd_lock}, yielding the vCPU in between to widen the window
     * the missing lock opens, and takes the lock only to join {@code pgd_list}.
     *
     * @param pgd              the new root
     * @param cloneKernelHalf  copies {@code swapper_pg_dir}'s kernel entries into the root
     * @param allocPdClone     announces the root with {@code alloc_pd_clone}
     * @param pgdListAddLocked takes {@code pgd_lock}, adds the root to {@code pgd_list}, unlocks
     */
    public static void cloneOutsideLock(long pgd, LongConsumer cloneKernelHalf, LongConsumer allocPdClone,
                                        LongConsumer pgdListAddLocked) {
        cloneKernelHalf.accept(pgd);
        Thread.yield();
        allocPdClone.accept(pgd);
        pgdListAddLocked.accept(pgd);
    }

    /**
     * {@link GuestBug#WRITE_TABLE_DIRECTLY}: {@code pmd_populate} links the pte page with a plain
     * store, not {@code set_pmd}.
     *
     * @param plainStore the kernel's direct store, which no hook sees
     * @param pmdPa      the pmd entry
     * @param entry      the link
     */
    public static void writeTableDirectly(EntryWrite plainStore, long pmdPa, long entry) {
        plainStore.write(pmdPa, entry);
    }

    /**
     * {@link GuestBug#FREE_BEFORE_RELEASE}: {@code __pte_free_tlb} returns the pte page to the free
     * pool at once, then calls {@code release_pt}, instead of releasing it and handing it to the
     * mmu_gather.
     *
     * @param pfn       the pte page
     * @param pteFree   {@code pte_free}: back to the free pool, no hook
     * @param releasePt {@code paravirt_release_pt}
     */
    public static void freeBeforeRelease(long pfn, LongConsumer pteFree, LongConsumer releasePt) {
        pteFree.accept(pfn);
        releasePt.accept(pfn);
    }

    /**
     * {@link GuestBug#STORE_TO_PINNED_DIRECTORY}: {@code pmd_populate} links the pte page with
     * {@code set_pte}, the write for a pte, not {@code set_pmd}.
     *
     * @param setPte {@code set_pte}
     * @param pmdPa  the pmd entry
     * @param entry  the link
     */
    public static void storeToPinnedDirectory(EntryWrite setPte, long pmdPa, long entry) {
        setPte.write(pmdPa, entry);
    }

    /**
     * {@link GuestBug#MMDROP_BEFORE_SWITCH}: {@code exit_mm} puts the mm and drops the reference the
     * CPU holds for {@code active_mm} at once, while the root is still loaded, instead of leaving it to
     * {@code finish_task_switch} after the switch away.
     *
     * @param mm     the exiting task's address space
     * @param mmput  {@code mmput}
     * @param mmdrop {@code mmdrop}
     * @param <M>    the address space's type
     */
    public static <M> void mmdropBeforeSwitch(M mm, Consumer<M> mmput, Consumer<M> mmdrop) {
        mmput.accept(mm);
        mmdrop.accept(mm);
    }

    /**
     * {@link GuestBug#CLEAR_PMD_DIRECTLY}: {@code free_pte_range} clears the pmd entry with a plain
     * store ({@code native_pmd_clear}), not {@code pmd_clear}.
     *
     * @param plainStore the kernel's direct store, which no hook sees
     * @param pmdPa      the pmd entry
     */
    public static void clearPmdDirectly(EntryWrite plainStore, long pmdPa) {
        plainStore.write(pmdPa, 0);
    }
}
