package io.pvmm.api;

import java.util.List;
import java.util.Map;

/**
 * A hypervisor backend: the memory-management half of Linux's {@code struct paravirt_ops} (i386,
 * 2.6.21, with the page allocation hooks of the patch "MM: page allocation hooks for VMI backend").
 * The guest kernel model calls nothing else outside itself.
 *
 * <h2>Five kinds of call</h2>
 * <ol>
 *   <li><b>Lifecycle hooks</b> — {@link #allocPt}, {@link #allocPd}, {@link #allocPdClone},
 *       {@link #releasePt}, {@link #releasePd}: a guest frame becomes, or stops being, a page table.
 *       They carry nothing but frame numbers; a backend that cares reads the frame through
 *       {@link BackendContext#memory()}.</li>
 *   <li><b>Page-table writes</b> — {@link #setPte}, {@link #setPteAt}, {@link #setPteAtomic},
 *       {@link #setPmd}, {@link #setPgd}, {@link #pteClear}, {@link #pmdClear}, and
 *       {@link #pteUpdate} after an in-place change. Each is given the physical address of the entry
 *       and, where there is one, the new value. <b>The backend performs the store</b>: on return the
 *       entry at that address holds the value (native stores it; a hypervisor validates or shadows it
 *       first) — except in lazy MMU mode, where the store and everything the backend derives from it
 *       may wait until {@link #leaveLazyMmu} or the next TLB flush on that vCPU, in order. The guest
 *       never reads back an entry it wrote in the same lazy section.</li>
 *   <li><b>Address-space events</b> — {@link #activateMm}, {@link #writeCr3}, {@link #dupMmap},
 *       {@link #exitMmap}, and boot's {@link #pagetableSetupStart}/{@link #pagetableSetupDone}. All but
 *       {@link #writeCr3} came with 2.6.23's Xen port: a guest running 2.6.21 ({@link KernelVersion})
 *       never calls them, and a backend that needs them says so with
 *       {@link PlatformRequirements#minimumKernel()}.</li>
 *   <li><b>TLB and batching</b> — the TLB flushes and lazy MMU mode; and the hardware's
 *       {@link #writeFault} when the guest stores to memory it maps read-only.</li>
 *   <li><b>Hardware events</b> (SPI 1.1) — {@link #storeTrapped}, a guest store into a frame the
 *       backend write-protected ({@link WriteProtection}), and {@link #pageWalk}, the MMU walking the
 *       tables after a TLB miss: what a monitor without hooks learns the page tables from.</li>
 * </ol>
 *
 * <p>Address spaces are named by the physical address of their root ({@code __pa(mm->pgd)}, what
 * CR3 would hold); the kernel's own, {@code init_mm}, is {@link GuestLayout#swapperPgDir()}. In PAE
 * mode several roots share one frame (2.6.21 allocates them as 32-byte objects), so roots are
 * physical addresses, not frame numbers.
 *
 * <h2>Threading</h2>
 * Calls come from the guest's vCPU threads, several at once on an SMP guest. The guest serialises
 * calls that touch the same structure as the kernel does: {@code pgd_lock} around
 * {@link #allocPdClone} and every walk of {@code pgd_list}, {@code mm->page_table_lock} around the
 * population of a user pmd, {@code cpa_lock} around {@code change_page_attr}. Calls on different
 * frames may be concurrent; a backend protects its own shared state and keeps per-vCPU state (lazy
 * mode, batches) indexed by {@link BackendContext#currentCpu()}.
 *
 * <h2>Errors</h2>
 * A backend refuses a call it must not accept by throwing {@link ParavirtViolation} with a stable
 * rule id, before changing any state. The guest treats it as a {@code BUG()}: the workload stops
 * and the violation is reported. A backend never silently corrupts state to keep going. Any other
 * exception is reported as a backend failure.
 *
 * <h2>Evolution</h2>
 * Methods are added as {@code default} methods that do what native hardware does, so a backend
 * compiled against an older SPI keeps working. Every method here other than the five hooks and the
 * stores has such a default.
 */
public interface ParavirtOps {

    // ----------------------------------------------------------------------------------------
    // Lifecycle hooks (the seed patch)
    // ----------------------------------------------------------------------------------------

    /**
     * Announces that {@code pfn} becomes a pte page (level 1) — Linux {@code paravirt_alloc_pt}.
     *
     * <p><b>When:</b> before the pmd write that links the page, in {@code pmd_populate} (user page
     * tables, under {@code mm->page_table_lock}), {@code pmd_populate_kernel} (vmalloc and other
     * kernel ranges), {@code one_page_table_init} (boot); and in {@code split_large_page} before the
     * page's {@code PTRS_PER_PTE} {@link #setPte} calls, under {@code cpa_lock}.
     *
     * <p><b>May assume:</b> nothing about the contents. Pages from {@code pte_alloc_one} and bootmem
     * are zero; a page from {@code split_large_page} is not zeroed and is filled after this call. A
     * backend that builds state from the contents reads them now and follows the writes.
     *
     * <p><b>Never called</b> for a pte page that loses the {@code __pte_alloc} race: that page is
     * freed with {@code pte_free}, which has no hook.
     *
     * @param pfn the frame that becomes a pte page
     * @throws ParavirtViolation if the backend already tracks {@code pfn} as a page table
     */
    void allocPt(long pfn);

    /**
     * Announces that {@code pfn} becomes a page directory — Linux {@code paravirt_alloc_pd}.
     *
     * <p><b>When:</b> in 2-level mode once, for {@code swapper_pg_dir}, at the start of
     * {@code pagetable_init}. In PAE mode for every pmd page, before the {@link #setPgd} that links
     * it: the boot kernel pmd ({@code one_md_table_init}) and the 3 user pmds of each new root
     * ({@code pgd_alloc}; all 4 pmds when the platform requires an unshared kernel pmd).
     *
     * <p><b>May assume:</b> nothing about the contents: {@code swapper_pg_dir} and an unshared
     * kernel pmd are not zero.
     *
     * @param pfn the frame that becomes a page directory
     * @throws ParavirtViolation if the backend already tracks {@code pfn} as a page table
     */
    void allocPd(long pfn);

    /**
     * Announces that {@code pfn} becomes the root page directory of a new address space whose kernel
     * half is a copy of {@code clonePfn}'s — Linux {@code paravirt_alloc_pd_clone}, called by
     * {@code pgd_ctor} in 2-level mode only.
     *
     * <p><b>When:</b> after the guest has zeroed entries {@code [0, start)} and copied entries
     * {@code [start, start + count)} from {@code clonePfn}, while the guest holds {@code pgd_lock}
     * and before the new root joins {@code pgd_list}. No kernel mapping the guest changes under
     * {@code pgd_lock} ({@code set_pmd_pte}, {@code vmalloc_sync_all}) can change between the copy and
     * this call, so a backend may copy its own state for {@code clonePfn} instead of re-reading the
     * guest's entries. A vmalloc pmd may still be populated in {@code clonePfn} meanwhile
     * ({@code pmd_populate_kernel} holds {@code init_mm}'s page-table lock, not {@code pgd_lock}):
     * the guest's copy then lacks it and gets it later through a vmalloc fault, and a backend that
     * copied its own state holds that one entry ahead of the guest. {@code pgd_ctor} runs when the
     * slab constructs a pgd object, not on every
     * {@code pgd_alloc}: a freed root stays cached, announced and on {@code pgd_list} until the cache
     * is shrunk.
     *
     * <p><b>Never called</b> for PAE roots, which are not announced at all.
     *
     * @param pfn      the frame that becomes a root
     * @param clonePfn the root whose kernel half was copied: {@code swapper_pg_dir}
     * @param start    the first copied entry, {@code USER_PTRS_PER_PGD} (768)
     * @param count    how many entries were copied, {@code KERNEL_PGD_PTRS} (256)
     * @throws ParavirtViolation if {@code clonePfn} is not a live root, or {@code pfn} is tracked
     */
    void allocPdClone(long pfn, long clonePfn, int start, int count);

    /**
     * Announces that the pte page {@code pfn} stops being a page table — Linux
     * {@code paravirt_release_pt}.
     *
     * <p><b>When:</b> in {@code __pte_free_tlb}, after {@code free_pgtables} has cleared the pmd entry
     * that linked the page ({@link #pmdClear}) and before the page goes to the mmu_gather, which
     * frees it after the TLB flush when several CPUs are online, and at once, before the flush, when
     * only one is ({@code tlb_fast_mode}); and in {@code __change_page_attr} before
     * {@code revert_page} overwrites the pmd that still links the split table, which goes on the
     * deferred list freed by {@code global_flush_tlb}. Either way the frame reaches the free pool
     * after this call, never before: "we must release pages before returning the page to any free
     * pool".
     *
     * @param pfn the pte page being released
     * @throws ParavirtViolation if {@code pfn} is not a pte page the backend tracks, or is in use
     */
    void releasePt(long pfn);

    /**
     * Announces that the page directory {@code pfn} stops being a page table — Linux
     * {@code paravirt_release_pd}.
     *
     * <p><b>When:</b> in 2-level mode at the start of {@code pgd_dtor}, before the root leaves
     * {@code pgd_list} (so a concurrent {@code set_pmd_pte} may still write it); that is, when the
     * slab destroys a cached pgd object, not on {@code pgd_free}. In PAE mode in {@code pgd_free} for
     * each pmd of the root, and in {@code pgd_alloc}'s out-of-memory unwind for each pmd already
     * announced, before the pmd is freed.
     *
     * @param pfn the page directory being released
     * @throws ParavirtViolation if {@code pfn} is not a page directory the backend tracks, or is in use
     */
    void releasePd(long pfn);

    // ----------------------------------------------------------------------------------------
    // Entry representation (pv_mmu_ops make_pte / pte_val)
    // ----------------------------------------------------------------------------------------

    /**
     * Turns an entry as the guest computes it (pseudo-physical frame numbers) into the value stored
     * in its page tables — Linux {@code make_pte}, {@code make_pmd}, {@code make_pgd}. Native and
     * shadowing hypervisors store the guest's value; a direct-paging hypervisor (Xen) stores machine
     * frame numbers. The guest calls this before every store of a present entry it computed.
     *
     * <p>Must be a pure function, cheap, and the inverse of {@link #entryValue} on present entries.
     *
     * @param value the entry with a guest frame number
     * @return the value to store
     */
    default long makeEntry(long value) {
        return value;
    }

    /**
     * Turns a stored entry back into the guest's form — Linux {@code pte_val}, {@code pmd_val},
     * {@code pgd_val}. The guest calls this on every entry it reads to follow or copy.
     *
     * @param entry the stored value
     * @return the entry with a guest frame number
     */
    default long entryValue(long entry) {
        return entry;
    }

    // ----------------------------------------------------------------------------------------
    // Page-table writes
    // ----------------------------------------------------------------------------------------

    /**
     * Stores a pte — Linux {@code set_pte}. Used for kernel tables: boot, fixmap, pkmap and the fill
     * of a split large page. (The pmd writes of {@code set_pmd_pte} come as {@link #setPteAtomic}.)
     *
     * @param ptePa physical address of the entry
     * @param value the new entry, already passed through {@link #makeEntry}
     * @throws ParavirtViolation if the backend refuses the entry
     */
    void setPte(long ptePa, long value);

    /**
     * Stores a pte of the address space rooted at {@code mmPgdPa} that maps {@code address} —
     * Linux {@code set_pte_at(mm, addr, ptep, pte)}. Used for user mappings (faults, fork's copy,
     * mprotect) and for vmalloc ({@code init_mm}).
     *
     * @param mmPgdPa root of the address space the pte belongs to
     * @param address the virtual address the pte maps
     * @param ptePa   physical address of the entry
     * @param value   the new entry, already passed through {@link #makeEntry}
     * @throws ParavirtViolation if the backend refuses the entry
     */
    default void setPteAt(long mmPgdPa, long address, long ptePa, long value) {
        setPte(ptePa, value);
    }

    /**
     * Stores a pte in one indivisible write — Linux {@code set_pte_atomic}. Used by
     * {@code change_page_attr} on the kernel's own tables, and by {@code set_pmd_pte}. PAE only: a
     * 2-level guest's {@code set_pte_atomic} is {@code pgtable-2level.h}'s {@code set_pte}, so there
     * {@code set_pmd_pte} writes a page-directory entry with {@link #setPte} (a backend must accept
     * that call on a pte page or a page directory).
     *
     * @param ptePa physical address of the entry
     * @param value the new entry, already passed through {@link #makeEntry}
     * @throws ParavirtViolation if the backend refuses the entry
     */
    default void setPteAtomic(long ptePa, long value) {
        setPte(ptePa, value);
    }

    /**
     * Stores a pmd entry — Linux {@code set_pmd}. In 2-level mode the pmd is folded, so this writes a
     * root entry. Links a pte page ({@code _PAGE_TABLE | pa}), maps a large page, or copies a
     * kernel entry ({@code vmalloc_sync_one}).
     *
     * @param pmdPa physical address of the entry
     * @param value the new entry, already passed through {@link #makeEntry}
     * @throws ParavirtViolation if the backend refuses the entry
     */
    void setPmd(long pmdPa, long value);

    /**
     * Stores a PAE root entry — Linux {@code set_pgd}, which is {@code set_pud} with the pud folded.
     * PAE mode only: the value is {@code __pa(pmd) | PRESENT}. Never called in 2-level mode, where the
     * root is written with {@link #setPmd}.
     *
     * @param pgdEntryPa physical address of the root entry
     * @param value      the new entry, already passed through {@link #makeEntry}
     * @throws ParavirtViolation if the backend refuses the entry
     */
    default void setPgd(long pgdEntryPa, long value) {
        setPmd(pgdEntryPa, value);
    }

    /**
     * Clears a pte — Linux {@code pte_clear(mm, addr, ptep)}. PAE only: a 2-level guest's
     * {@code pte_clear} is {@code pgtable-2level.h}'s {@code set_pte_at(mm, addr, xp, __pte(0))}, a
     * {@link #setPteAt} with 0.
     *
     * @param mmPgdPa root of the address space the pte belongs to
     * @param address the virtual address the pte mapped
     * @param ptePa   physical address of the entry
     * @throws ParavirtViolation if the backend refuses the write
     */
    default void pteClear(long mmPgdPa, long address, long ptePa) {
        setPteAt(mmPgdPa, address, ptePa, 0);
    }

    /**
     * Clears a pmd entry — Linux {@code pmd_clear}. {@code free_pgtables} calls it before
     * {@link #releasePt} of the pte page it linked. PAE only: a 2-level guest's {@code pmd_clear} is
     * {@code pgtable-2level.h}'s {@code set_pmd(xp, __pmd(0))}, a {@link #setPmd} with 0.
     *
     * @param pmdPa physical address of the entry
     * @throws ParavirtViolation if the backend refuses the write
     */
    default void pmdClear(long pmdPa) {
        setPmd(pmdPa, 0);
    }

    /**
     * Tells the backend that the guest changed a user pte in place, without a store through this
     * interface — Linux {@code pte_update}: "must be called after any PTE update which has not been
     * done using the set_pte / clear_pte interfaces ... used by shadow mode hypervisors to
     * resynchronize the shadow page tables". Follows {@code ptep_set_wrprotect} (fork's
     * copy-on-write), {@code ptep_get_and_clear} and {@code ptep_test_and_clear_young}; the TLB
     * flush that follows happens under the same page-table lock.
     *
     * <p>Not called by {@code ptep_get_and_clear_full} during a whole-mm teardown ("paravirt does not
     * care about updates").
     *
     * @param mmPgdPa root of the address space the pte belongs to
     * @param address the virtual address the pte maps
     * @param ptePa   physical address of the entry, which already holds its new value
     */
    default void pteUpdate(long mmPgdPa, long address, long ptePa) {
    }

    /**
     * The guest stored to memory that its direct map maps read-only — the hardware page fault a
     * hypervisor sees before the guest does (Xen's {@code ptwr_do_page_fault}). The guest's own
     * stores to page-table memory that bypass this interface (constructing a root, changing a pte
     * in place, a guest bug) check the direct-map entry first, as the MMU would, and come here when
     * it is read-only.
     *
     * <p>Return {@code true} after emulating the store (the entry then holds {@code value});
     * {@code false} to deliver the fault to the guest, which then oopses. Native hardware never maps
     * lowmem read-only, so the default delivers the fault.
     *
     * @param pa    physical address of the entry the guest tried to store
     * @param value the value it tried to store
     * @return whether the store was emulated
     * @throws ParavirtViolation if the store must be refused with a rule id
     */
    default boolean writeFault(long pa, long value) {
        return false;
    }

    /**
     * The guest stored into a frame the backend write-protected through
     * {@link BackendContext#writeProtection()} — the write fault a full-virtualization monitor takes
     * on a shadowed page table, which it emulates (Xen's {@code sh_page_fault} then
     * {@code sh_x86_emulate_write}; KVM's {@code kvm_mmu_pte_write}). Since SPI 1.1.
     *
     * <p><b>When:</b> after the store has taken effect: the frame holds {@code store.value()} at
     * {@code store.offset()}. For a paravirt write ({@link #setPte} and the rest) that is after the
     * backend's own method returned; for the kernel's direct stores ({@code pgd_ctor}'s
     * {@code memset} and clone copy, an in-place {@code ptep_set_wrprotect}, a guest bug's stray
     * store) and its data stores ({@code clear_page}, the copy of a copy-on-write break, bootmem
     * zeroing), right after each word. A block operation
     * ({@link TrappedStore.Kind#BLOCK}) traps word by word while the frame stays protected; once the
     * backend unprotects the frame, the rest of the operation runs without trapping, as the
     * re-executed instruction would.
     *
     * <p><b>May:</b> unprotect or protect frames, read and store the guest's memory (the hypervisor's
     * accesses do not trap). <b>Must not</b> undo the store.
     *
     * <p><b>Threading:</b> on the storing vCPU, under whatever lock the guest holds for the store
     * (the page-table lock of the mm, {@code pgd_lock}, none for a data page).
     *
     * <p>The default ignores the store: a backend that protects nothing never receives one.
     *
     * @param store the frame, offset, value, vCPU and kind of the trapped store
     * @throws ParavirtViolation if the store must be refused with a rule id
     */
    default void storeTrapped(TrappedStore store) {
    }

    // ----------------------------------------------------------------------------------------
    // Address-space lifecycle
    // ----------------------------------------------------------------------------------------

    /**
     * The address space rooted at {@code nextPgdPa} becomes current on this vCPU in place of
     * {@code prevPgdPa} — Linux {@code activate_mm}, called by {@code exec} for the new mm (which then
     * holds only the new stack's tables). Xen pins the new root here. 2.6.23's {@code activate_mm}
     * calls it before {@code switch_mm}; 2.6.21's is {@code switch_mm} alone and never calls it.
     *
     * @param prevPgdPa root of the address space being replaced ({@code swapper_pg_dir} for a kernel thread)
     * @param nextPgdPa root of the new address space
     * @throws ParavirtViolation if the new tree is refused
     */
    default void activateMm(long prevPgdPa, long nextPgdPa) {
    }

    /**
     * This vCPU now translates through the tree rooted at {@code pgdPa} — Linux {@code write_cr3},
     * reached from {@code load_cr3} in {@code switch_mm} when the vCPU switches to a task with another
     * address space, and after {@link #activateMm} in {@code exec}. Kernel threads borrow the previous
     * address space and cause no switch. A backend that distinguishes the current address space
     * (VMI's {@code CURRENT_AS} updates, Xen's {@code update_va_mapping} on the current mm) tracks it
     * per vCPU from here; Xen validates the new base ({@code MMUEXT_NEW_BASEPTR}).
     *
     * @param pgdPa root of the address space now current on the calling vCPU
     * @throws ParavirtViolation if the root is refused
     */
    default void writeCr3(long pgdPa) {
    }

    /**
     * Fork has copied every vma and user page table of the parent into the child — Linux
     * {@code arch_dup_mmap(oldmm, mm)}, at the end of {@code dup_mmap}. The child's tree is complete.
     * Xen pins the child's root here ("late pin"). 2.6.23; 2.6.21 never calls it.
     *
     * @param oldPgdPa root of the parent
     * @param newPgdPa root of the child
     * @throws ParavirtViolation if the child's tree is refused
     */
    default void dupMmap(long oldPgdPa, long newPgdPa) {
    }

    /**
     * The last user of an address space is gone and it is about to be torn down — Linux
     * {@code arch_exit_mmap(mm)}, the first step of {@code exit_mmap}, before any pte is cleared or
     * pte page released. Xen unpins the root here ("early unpin"). Also called for an address space
     * that was never completed (a fork or exec that failed), which was never passed to
     * {@link #dupMmap} or {@link #activateMm}. 2.6.23; 2.6.21 never calls it.
     *
     * @param pgdPa root of the address space
     * @throws ParavirtViolation if the backend refuses
     */
    default void exitMmap(long pgdPa) {
    }

    /**
     * Boot is about to build the kernel's page tables in {@code swapper_pg_dir} — Linux
     * {@code paravirt_pagetable_setup_start}, the first step of 2.6.23's {@code pagetable_init}, before
     * it announces anything. 2.6.21 has no such hook and never calls it.
     *
     * @param pgdPa {@code swapper_pg_dir}
     */
    default void pagetableSetupStart(long pgdPa) {
    }

    /**
     * Boot has built the kernel's page tables — Linux {@code paravirt_pagetable_setup_done}, at the
     * end of 2.6.23's {@code pagetable_init}, before {@code load_cr3(swapper_pg_dir)}. Xen pins the
     * kernel's root here; kernel page tables are never unpinned. 2.6.21 has no such hook: its boot's
     * tables are complete at that first {@link #writeCr3}.
     *
     * @param pgdPa {@code swapper_pg_dir}
     * @throws ParavirtViolation if the kernel's tree is refused
     */
    default void pagetableSetupDone(long pgdPa) {
    }

    // ----------------------------------------------------------------------------------------
    // TLB and lazy MMU mode
    // ----------------------------------------------------------------------------------------

    /** Flushes this vCPU's non-global TLB entries — Linux {@code flush_tlb_user} ({@code __flush_tlb}). */
    default void flushTlbUser() {
    }

    /** Flushes every TLB entry including global ones — Linux {@code flush_tlb_kernel} ({@code __flush_tlb_global}). */
    default void flushTlbKernel() {
    }

    /**
     * Flushes the TLB entry for one address — Linux {@code flush_tlb_single} ({@code __flush_tlb_one}).
     *
     * @param address the virtual address
     */
    default void flushTlbSingle(long address) {
    }

    /**
     * Enters lazy MMU mode on this vCPU — Linux {@code arch_enter_lazy_mmu_mode}. Until
     * {@link #leaveLazyMmu}, a backend may queue the page-table writes it receives and apply them in
     * order later (at the latest on leave or on a TLB flush). A store the guest makes without a hook
     * while writes are queued ({@link #writeFault}, or an in-place change announced by
     * {@link #pteUpdate}) must not overtake the queued writes. "Only one of the lazy modes should be
     * active at any given time, entry should never be nested, and entry and exits should always be
     * paired": the guest enters around {@code copy_pte_range}, {@code zap_pte_range} and
     * {@code change_pte_range}, holding the page-table lock.
     *
     * @throws ParavirtViolation if lazy mode is already active on this vCPU
     */
    default void enterLazyMmu() {
    }

    /**
     * Leaves lazy MMU mode on this vCPU — Linux {@code arch_leave_lazy_mmu_mode}. Every write queued
     * since {@link #enterLazyMmu} must have taken effect when this returns.
     *
     * @throws ParavirtViolation if lazy mode is not active on this vCPU
     */
    default void leaveLazyMmu() {
    }

    // ----------------------------------------------------------------------------------------
    // Hardware page walks (SPI 1.1)
    // ----------------------------------------------------------------------------------------

    /**
     * Whether this backend wants to see the guest's page walks through {@link #pageWalk}. A
     * hypervisor with nested paging does: every walk of the guest's tables is a walk of its own as
     * well. Asked once, after the backend is created and before boot; the answer must not change.
     *
     * <p>A backend that answers false costs the guest's TLB misses nothing beyond the walk itself.
     *
     * @return true to receive {@link #pageWalk}; false by default
     * @since 1.1
     */
    default boolean observesPageWalks() {
        return false;
    }

    /**
     * The calling vCPU missed in its TLB and its MMU walked the guest's tables — the hardware's
     * page walk, which no paravirt_ops call stands for: on bare hardware and under direct or shadow
     * paging nobody but the MMU knows; under nested paging (EPT, NPT) each guest-physical address it
     * reads, and the one the access lands on, goes through the host's table, where a frame the host
     * has not mapped is an EPT violation (a VM exit).
     *
     * <p><b>When:</b> on a miss, after the walk read its entries and before the access completes
     * (or, when {@link PageWalk#completed()} is false, before the guest's page fault handler runs).
     * Only if {@link #observesPageWalks()} said true. Never while the vCPU is inside another call
     * of this interface.
     *
     * <p><b>Must not</b> change the guest's tables or keep {@code walk} past the call.
     *
     * <p><b>Threading:</b> from the walking vCPU's thread; walks on different vCPUs are concurrent.
     *
     * @param walk the walk, valid only during the call
     * @throws ParavirtViolation if the walk reaches memory the host refuses to map
     * @since 1.1
     */
    default void pageWalk(PageWalk walk) {
    }

    /**
     * The calling vCPU raised a page fault (vector 14): an access that its TLB or its walk of the
     * tables refused, about to enter the guest's handler ({@code do_page_fault}) with CR2 and the
     * error code. On bare hardware the exception goes straight to the guest kernel. A hypervisor that
     * owns the interrupt table takes it first: Xen's paravirtualised guest runs outside ring 0, so
     * every page fault enters Xen, which reads CR2 into the guest's shared info and bounces the fault
     * to the guest's handler ({@code create_bounce_frame}); a backend counts that entry here.
     *
     * <p><b>When:</b> once per fault, before the guest's handler runs, after {@link #pageWalk} if the
     * fault came from a walk; never while the vCPU is inside another call of this interface.
     *
     * <p><b>Must not</b> change the guest's tables.
     *
     * <p><b>Threading:</b> from the faulting vCPU's thread; faults on different vCPUs are concurrent.
     *
     * @param mmPgdPa the root the access went through (CR3)
     * @param address the faulting linear address (CR2)
     * @param write   whether the access wrote (the error code's W bit)
     * @param user    whether the access was made in user mode (the error code's U bit)
     * @since 1.1
     */
    default void pageFaultRaised(long mmPgdPa, long address, boolean write, boolean user) {
    }

    /**
     * The MMU set the accessed bit (and, for a write through a pte, the dirty bit) in an entry it
     * used, as x86 hardware does with a locked operation during a walk (Intel SDM vol. 3A, §4.8,
     * "Accessed and Dirty Flags"). The entry at {@code entryPa} already holds the bits. Under direct
     * paging the hardware set them in the real table and there is nothing to do; a shadow pager
     * resynchronises its copy of the entry, as it does after {@link #pteUpdate}, which is what the
     * default calls for a pte.
     *
     * <p><b>When:</b> during a walk on the calling vCPU, outside lazy MMU mode, without any guest lock
     * held (the hardware holds none): only when a bit was clear. The kernel's own changes to the same
     * entry are made under the page-table lock, and the walker sets the bits only while the entry is
     * present.
     *
     * @param mmPgdPa root of the address space that was walked
     * @param address the virtual address that was translated
     * @param entryPa physical address of the entry, which already holds the bits
     * @param level   1 for a pte, 2 for a pde (a large page, or a table the walk went through)
     * @throws ParavirtViolation if the backend refuses the update
     * @since 1.1
     */
    default void accessedDirtySet(long mmPgdPa, long address, long entryPa, int level) {
        if (level == 1) {
            pteUpdate(mmPgdPa, address, entryPa);
        }
    }

    // ----------------------------------------------------------------------------------------
    // Inspection
    // ----------------------------------------------------------------------------------------

    /**
     * The backend's named counters: hypercalls, traps, shadow frames live and peak, entries copied or
     * validated, pins, ... Names are lower-case words joined by dots or dashes; values are never
     * negative; the same names come back on every call, in the same order, so reports line up.
     *
     * <p>May be called from any thread at any time; a snapshot taken while vCPUs run may mix moments.
     *
     * @return a snapshot of the counters, in a stable order; empty if the backend counts nothing
     */
    default Map<String, Long> counters() {
        return Map.of();
    }

    /**
     * What the backend added to the guest's own work so far, counted in the shared vocabulary of
     * {@link CostEvent}, so that a cost model can price it: the hypercalls it served, the entries it
     * validated, the stores it trapped and emulated, its VM exits, shadow updates, pins, ... Kept
     * beside {@link #counters()}, which stay the backend's own free-form names; each event is derived
     * from the same state those counters are.
     *
     * <p><b>Contract:</b> an event present in the map is one the backend can incur, with its count
     * since the backend was created (0 if none yet); an event absent is one it never incurs. Counts are
     * never negative and never fall; the same events come back on every call, in {@link CostEvent}
     * order. A backend that adds nothing to bare hardware returns every event with 0 (native does);
     * the empty map means the backend reports no events at all, and a cost model then has nothing to
     * price for it and says so.
     *
     * <p><b>Threading:</b> as {@link #counters()}: from any thread at any time; a snapshot taken while
     * vCPUs run may mix moments.
     *
     * @return the counts by event; empty by default, meaning "reports none"
     * @since 1.1
     */
    default Map<CostEvent, Long> costEvents() {
        return Map.of();
    }

    /**
     * Checks the backend's state against the guest's memory and returns what is wrong: a shadow that
     * differs from its guest table, a type count that does not match the references, a page table in
     * the free pool, ... The guest calls this only when quiescent: no vCPU is inside a call and lazy
     * mode is off everywhere.
     *
     * <p>Audits must cost time linear in the page-table frames the backend tracks.
     *
     * @return the findings, empty when the state is consistent
     */
    default List<Finding> audit() {
        return List.of();
    }
}
