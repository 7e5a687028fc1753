package io.pvmm.backend.shadow;

import io.pvmm.api.BackendContext;
import io.pvmm.api.CostEvent;
import io.pvmm.api.Finding;
import io.pvmm.api.PageWalk;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.TrappedStore;
import io.pvmm.api.WriteProtection;
import java.util.List;
import java.util.Map;

/**
 * The shadow backend as the guest sees it: bare hardware. The five lifecycle hooks, {@code pte_update}
 * and the mm events other than the CR3 loads do nothing — an unmodified guest calls none of them, and
 * the monitor is right whether or not they come; every page-table write stores the value, as the
 * guest's own {@code native_set_pte} would. What the monitor knows it learns from the hardware: the
 * roots loaded into CR3 ({@link #writeCr3}, {@link #activateMm}), the stores that trap on the frames it
 * protected ({@link #storeTrapped}), the walks the TLB misses make ({@link #pageWalk}), the accessed
 * and dirty bits the walker sets ({@link #accessedDirtySet}) and the TLB flushes, each handed to the
 * {@link ShadowPager}.
 *
 * <p><b>Threading:</b> any number of vCPUs at once; the pager serialises. <b>Errors:</b> none of its
 * own: a hookless monitor has no call to refuse; its {@link #audit()} reports what is wrong.
 */
final class ShadowOps implements ParavirtOps {

    private final BackendContext context;
    private final GuestMemory memory;
    private final ShadowCounters counters = new ShadowCounters();
    private final ShadowPager pager;
    private final ShadowAudit audit;

    /**
     * Creates the backend for one guest.
     *
     * @param context   the guest's memory, layout, vCPUs and write protection
     * @param p2mSeed   the {@code p2m-seed} setting
     * @param cacheRoots the {@code cache-roots} setting
     * @param outOfSync the {@code out-of-sync} setting
     */
    ShadowOps(BackendContext context, long p2mSeed, int cacheRoots, boolean outOfSync) {
        this.context = context;
        this.memory = context.memory();
        WriteProtection wp = context.writeProtection();
        P2m p2m = new P2m(context.mode(), memory.frames(), p2mSeed);
        this.pager = new ShadowPager(context.mode(), memory, p2m, wp, counters, new ShadowCache(cacheRoots), outOfSync,
                context.vcpus());
        this.audit = new ShadowAudit(context.mode(), memory, p2m, wp, pager);
    }

    // lifecycle hooks: an unmodified guest has none ------------------------------------------------

    @Override
    public void allocPt(long pfn) {
    }

    @Override
    public void allocPd(long pfn) {
    }

    @Override
    public void allocPdClone(long pfn, long clonePfn, int start, int count) {
    }

    @Override
    public void releasePt(long pfn) {
    }

    @Override
    public void releasePd(long pfn) {
    }

    // writes: the hardware stores; a protected frame traps afterwards -------------------------------

    @Override
    public void setPte(long ptePa, long value) {
        memory.writeEntry(ptePa, value);
    }

    @Override
    public void setPteAt(long mmPgdPa, long address, long ptePa, long value) {
        memory.writeEntry(ptePa, value);
    }

    @Override
    public void setPteAtomic(long ptePa, long value) {
        memory.writeEntry(ptePa, value);
    }

    @Override
    public void setPmd(long pmdPa, long value) {
        memory.writeEntry(pmdPa, value);
    }

    @Override
    public void setPgd(long pgdEntryPa, long value) {
        memory.writeEntry(pgdEntryPa, value);
    }

    @Override
    public void pteClear(long mmPgdPa, long address, long ptePa) {
        memory.writeEntry(ptePa, 0);
    }

    @Override
    public void pmdClear(long pmdPa) {
        memory.writeEntry(pmdPa, 0);
    }

    // the hardware's events -----------------------------------------------------------------------

    @Override
    public void storeTrapped(TrappedStore store) {
        pager.trapped(store);
    }

    /** A shadow pager's hardware walks its shadow on every TLB miss: it must see the misses. */
    @Override
    public boolean observesPageWalks() {
        return true;
    }

    @Override
    public void pageWalk(PageWalk walk) {
        pager.pageWalk(walk.cpu(), walk.root(), walk.address(), walk.write());
    }

    /**
     * The MMU set an accessed or dirty bit in a guest entry: the shadow entry, if synced, takes the
     * new value — what a shadow pager does when it propagates A and D between the shadow the hardware
     * walks and the guest's table (Xen's {@code _sh_propagate}).
     */
    @Override
    public void accessedDirtySet(long mmPgdPa, long address, long entryPa, int level) {
        pager.hardwareSetBits(entryPa);
    }

    @Override
    public void activateMm(long prevPgdPa, long nextPgdPa) {
        pager.loadRoot(context.currentCpu(), nextPgdPa);
        counters.cr3Load();
    }

    @Override
    public void writeCr3(long pgdPa) {
        pager.loadRoot(context.currentCpu(), pgdPa);
        counters.cr3Load();
    }

    @Override
    public void flushTlbUser() {
        pager.flush(context.currentCpu());
        counters.tlbFlush();
    }

    @Override
    public void flushTlbKernel() {
        pager.flush(context.currentCpu());
        counters.tlbFlush();
    }

    @Override
    public void flushTlbSingle(long address) {
        pager.flush(context.currentCpu());
        counters.tlbFlush();
    }

    // inspection ----------------------------------------------------------------------------------

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
        return audit.run();
    }

    /** @return the pager, for tests in this package */
    ShadowPager pager() {
        return pager;
    }
}
