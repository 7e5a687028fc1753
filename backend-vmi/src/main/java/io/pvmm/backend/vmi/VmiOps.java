package io.pvmm.backend.vmi;

import io.pvmm.api.BackendContext;
import io.pvmm.api.CostEvent;
import io.pvmm.api.Finding;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import java.util.List;
import java.util.Map;

/**
 * The VMI backend as the guest sees it: each {@link ParavirtOps} call mapped to what {@code vmi.c}
 * does with it — the lifecycle hooks to {@code allocate_page}/{@code release_page} on the
 * {@link ShadowPager}, the writes to {@code set_pte} at the PT, PD or PDP level, {@code pte_update} to
 * {@code update_pte}, lazy MMU mode to the vCPU's {@link LazyQueue}, and the TLB flushes (and a CR3
 * load, which flushes the TLB) to the application of that vCPU's queued updates. Entries keep the
 * guest's pseudo-physical frame numbers ({@code makeEntry}/{@code entryValue} are the identity): the
 * translation lives in the shadows.
 *
 * <p>A CR3 load also records what the vCPU has loaded (a root must not be released while loaded), and
 * the end of boot's {@code pagetable_init} is where the boot allocations are applied: from then on a
 * write to a frame never announced is refused too. A 2.6.23 guest says so with
 * {@code pagetableSetupDone}; 2.6.21's {@code paravirt_ops} has no such hook ({@code vmi.c} declares
 * {@code vmi_apply_boot_page_allocations} and nothing calls it), and its first CR3 load,
 * {@code paging_init}'s {@code load_cr3(swapper_pg_dir)} right after {@code pagetable_init}, is the
 * same moment. {@code activateMm}, {@code dupMmap},
 * {@code exitMmap} and {@code pagetableSetupStart} need nothing from a shadow pager and keep the
 * SPI's defaults.
 *
 * <p><b>Threading:</b> any number of vCPUs at once, as {@link ShadowPager} and {@link LazyQueue} allow.
 * <b>Errors:</b> {@link io.pvmm.api.ParavirtViolation} with a {@link VmiRule} id under
 * {@code on-violation=throw}; under {@code record} the call goes on and {@link #audit()} reports it.
 */
final class VmiOps implements ParavirtOps {

    /**
     * {@code vmi_set_pte}'s check: a plain pte write may target an L1, or an L2 "because of
     * set_pmd_pte" ({@code VMI_PAGE_PTE | VMI_PAGE_PD}). {@code set_pte_atomic} has no check at all in
     * {@code vmi.c} ("called from set_pmd_pte, but at both PT and PD layers"); accepting both levels
     * is the same thing for a typed frame.
     */
    private static final int PT_OR_PD_LEVEL = PageTypeChecker.PT | PageTypeChecker.PD;
    /**
     * {@code vmi_set_pte_at}, {@code vmi_pte_clear} and {@code vmi_update_pte}'s check:
     * {@code VMI_PAGE_PTE} alone, so a pte page only.
     */
    private static final int PT_LEVEL = PageTypeChecker.PT;
    private static final int PD_LEVEL = PageTypeChecker.PD;

    private final BackendContext context;
    private final VmiCounters counters = new VmiCounters();
    private final Violations violations;
    private final ShadowPager pager;
    private final LazyQueue lazy;
    private final VmiAudit audit;
    private final PageTypeChecker types;
    private final PagingMode mode;
    private final int atomicLevel;

    /**
     * Creates the backend for one guest.
     *
     * @param context the guest's memory, layout and vCPUs
     * @param p2mSeed the {@code p2m-seed} setting
     * @param policy  the {@code on-violation} setting
     */
    VmiOps(BackendContext context, long p2mSeed, Violations.Policy policy) {
        this.context = context;
        PagingMode mode = context.mode();
        GuestMemory memory = context.memory();
        P2m p2m = new P2m(mode, memory.frames(), p2mSeed);
        this.mode = mode;
        this.violations = new Violations(policy, counters);
        this.types = new PageTypeChecker(memory.frames(), violations);
        this.pager = new ShadowPager(mode, memory, p2m, types, violations, counters, context.vcpus());
        this.lazy = new LazyQueue(context.vcpus(), violations);
        this.audit = new VmiAudit(mode, memory, p2m, pager);
        // vmi_set_pte_atomic (PAE) checks nothing; 2-level set_pte_atomic is set_pte
        this.atomicLevel = mode == PagingMode.PAE ? PT_OR_PD_LEVEL | PageTypeChecker.UNCHECKED
                : PT_OR_PD_LEVEL | PageTypeChecker.NORMAL_PASSES;
    }

    // lifecycle hooks ---------------------------------------------------------------------------

    @Override
    public void allocPt(long pfn) {
        pager.allocatePage(pfn, PageTypeChecker.L1);
        counters.lifecycleCall();
    }

    @Override
    public void allocPd(long pfn) {
        pager.allocatePage(pfn, PageTypeChecker.L2);
        counters.lifecycleCall();
    }

    @Override
    public void allocPdClone(long pfn, long clonePfn, int start, int count) {
        pager.allocateClone(pfn, clonePfn, start, count);
        counters.lifecycleCall();
    }

    @Override
    public void releasePt(long pfn) {
        pager.releasePage(pfn, PageTypeChecker.L1);
        counters.lifecycleCall();
    }

    @Override
    public void releasePd(long pfn) {
        pager.releasePage(pfn, PageTypeChecker.L2);
        counters.lifecycleCall();
    }

    // writes ------------------------------------------------------------------------------------

    @Override
    public void setPte(long ptePa, long value) {
        pager.setPte(ptePa, value, PT_OR_PD_LEVEL, "setPte", pending());
    }

    @Override
    public void setPteAt(long mmPgdPa, long address, long ptePa, long value) {
        pager.setPte(ptePa, value, PT_LEVEL, "setPteAt", pending());
    }

    @Override
    public void setPteAtomic(long ptePa, long value) {
        pager.setPte(ptePa, value, atomicLevel, "setPteAtomic", pending());
    }

    @Override
    public void setPmd(long pmdPa, long value) {
        pager.setPte(pmdPa, value, PD_LEVEL, "setPmd", pending());
    }

    @Override
    public void setPgd(long pgdEntryPa, long value) {
        if (mode == PagingMode.PAE) {
            pager.setPud(pgdEntryPa, value, "setPgd", pending()); // a PAE root (PDPT) is never a tracked type
        } else {
            pager.setPte(pgdEntryPa, value, PD_LEVEL, "setPgd", pending());
        }
    }

    @Override
    public void pteClear(long mmPgdPa, long address, long ptePa) {
        pager.setPte(ptePa, 0, PT_LEVEL, "pteClear", pending());
    }

    @Override
    public void pmdClear(long pmdPa) {
        pager.setPte(pmdPa, 0, PD_LEVEL, "pmdClear", pending());
    }

    @Override
    public void pteUpdate(long mmPgdPa, long address, long ptePa) {
        pager.updatePte(ptePa, PT_LEVEL, "pteUpdate", pending());
    }

    // address spaces, TLB, lazy mode ------------------------------------------------------------

    @Override
    public void writeCr3(long pgdPa) {
        int cpu = context.currentCpu();
        pager.apply(lazy.flush(cpu)); // loading CR3 flushes the TLB
        pager.loadCr3(cpu, pgdPa);
        counters.cr3Load();
        types.applyBootPageAllocations(); // 2.6.21: paging_init's load_cr3 ends boot's tables (idempotent)
    }

    /** {@code vmi_apply_boot_page_allocations}: from now on every page-table write is checked. */
    @Override
    public void pagetableSetupDone(long pgdPa) {
        types.applyBootPageAllocations();
    }

    @Override
    public void flushTlbUser() {
        pager.apply(lazy.flush(context.currentCpu()));
        counters.tlbFlush();
    }

    @Override
    public void flushTlbKernel() {
        pager.apply(lazy.flush(context.currentCpu()));
        counters.tlbFlush();
    }

    @Override
    public void flushTlbSingle(long address) {
        pager.apply(lazy.flush(context.currentCpu()));
        counters.tlbFlush();
    }

    @Override
    public void enterLazyMmu() {
        lazy.enter(context.currentCpu());
    }

    @Override
    public void leaveLazyMmu() {
        pager.apply(lazy.leave(context.currentCpu()));
    }

    // inspection --------------------------------------------------------------------------------

    @Override
    public Map<String, Long> counters() {
        return counters.snapshot();
    }

    @Override
    public Map<CostEvent, Long> costEvents() {
        return counters.costEvents();
    }

    @Override
    public List<Finding> audit() {
        List<Finding> findings = audit.run();
        findings.addAll(violations.findings());
        return findings;
    }

    /** @return the shadow pager, for tests in this package */
    ShadowPager pager() {
        return pager;
    }

    private LazyQueue.Batch pending() {
        return lazy.pending(context.currentCpu());
    }
}
