package io.pvmm.guest.observe;

import io.pvmm.api.CostEvent;
import io.pvmm.api.Finding;
import io.pvmm.api.PageWalk;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.TrappedStore;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * Counts every call the guest makes on a backend, by method, then delegates. Counts are kept per vCPU
 * (no contention on the hot path) and summed when read. A call that throws is counted too: the guest
 * made it.
 *
 * <p>This decorator is for reports and tests; benchmarks measure the backend without it.
 */
public final class CountingOps implements ParavirtOps {

    private static final int STRIDE = Hook.values().length + 8; // pad rows apart to avoid false sharing

    private final ParavirtOps delegate;
    private final IntSupplier cpu;
    private final long[] counts;
    private final int vcpus;

    /**
     * Wraps a backend.
     *
     * @param delegate the backend
     * @param vcpus    the guest's vCPU count
     * @param cpu      answers the calling vCPU
     */
    public CountingOps(ParavirtOps delegate, int vcpus, IntSupplier cpu) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.vcpus = vcpus;
        this.cpu = cpu;
        this.counts = new long[vcpus * STRIDE];
    }

    private void tick(Hook h) {
        int c = cpu.getAsInt();
        counts[(c < vcpus ? c : 0) * STRIDE + h.ordinal()]++;
    }

    /**
     * The calls counted so far, by hook, in declaration order; read while the guest is quiescent.
     *
     * @return counts by hook
     */
    public Map<Hook, Long> counts() {
        Map<Hook, Long> m = new EnumMap<>(Hook.class);
        for (Hook h : Hook.values()) {
            long n = 0;
            for (int c = 0; c < vcpus; c++) {
                n += counts[c * STRIDE + h.ordinal()];
            }
            m.put(h, n);
        }
        return m;
    }

    /**
     * One hook's count.
     *
     * @param hook a hook
     * @return its calls so far
     */
    public long count(Hook hook) {
        return counts().get(hook);
    }

    /** @return the wrapped backend */
    public ParavirtOps delegate() {
        return delegate;
    }

    @Override
    public void allocPt(long pfn) {
        tick(Hook.allocPt);
        delegate.allocPt(pfn);
    }

    @Override
    public void allocPd(long pfn) {
        tick(Hook.allocPd);
        delegate.allocPd(pfn);
    }

    @Override
    public void allocPdClone(long pfn, long clonePfn, int start, int count) {
        tick(Hook.allocPdClone);
        delegate.allocPdClone(pfn, clonePfn, start, count);
    }

    @Override
    public void releasePt(long pfn) {
        tick(Hook.releasePt);
        delegate.releasePt(pfn);
    }

    @Override
    public void releasePd(long pfn) {
        tick(Hook.releasePd);
        delegate.releasePd(pfn);
    }

    @Override
    public long makeEntry(long value) {
        return delegate.makeEntry(value);
    }

    @Override
    public long entryValue(long entry) {
        return delegate.entryValue(entry);
    }

    @Override
    public void setPte(long ptePa, long value) {
        tick(Hook.setPte);
        delegate.setPte(ptePa, value);
    }

    @Override
    public void setPteAt(long mmPgdPa, long address, long ptePa, long value) {
        tick(Hook.setPteAt);
        delegate.setPteAt(mmPgdPa, address, ptePa, value);
    }

    @Override
    public void setPteAtomic(long ptePa, long value) {
        tick(Hook.setPteAtomic);
        delegate.setPteAtomic(ptePa, value);
    }

    @Override
    public void setPmd(long pmdPa, long value) {
        tick(Hook.setPmd);
        delegate.setPmd(pmdPa, value);
    }

    @Override
    public void setPgd(long pgdEntryPa, long value) {
        tick(Hook.setPgd);
        delegate.setPgd(pgdEntryPa, value);
    }

    @Override
    public void pteClear(long mmPgdPa, long address, long ptePa) {
        tick(Hook.pteClear);
        delegate.pteClear(mmPgdPa, address, ptePa);
    }

    @Override
    public void pmdClear(long pmdPa) {
        tick(Hook.pmdClear);
        delegate.pmdClear(pmdPa);
    }

    @Override
    public void pteUpdate(long mmPgdPa, long address, long ptePa) {
        tick(Hook.pteUpdate);
        delegate.pteUpdate(mmPgdPa, address, ptePa);
    }

    @Override
    public void storeTrapped(TrappedStore store) {
        delegate.storeTrapped(store); // a hardware event, not a paravirt call: the backend counts it
    }

    @Override
    public boolean writeFault(long pa, long value) {
        tick(Hook.writeFault);
        return delegate.writeFault(pa, value);
    }

    @Override
    public void activateMm(long prevPgdPa, long nextPgdPa) {
        tick(Hook.activateMm);
        delegate.activateMm(prevPgdPa, nextPgdPa);
    }

    @Override
    public void writeCr3(long pgdPa) {
        tick(Hook.writeCr3);
        delegate.writeCr3(pgdPa);
    }

    @Override
    public void dupMmap(long oldPgdPa, long newPgdPa) {
        tick(Hook.dupMmap);
        delegate.dupMmap(oldPgdPa, newPgdPa);
    }

    @Override
    public void exitMmap(long pgdPa) {
        tick(Hook.exitMmap);
        delegate.exitMmap(pgdPa);
    }

    @Override
    public void pagetableSetupStart(long pgdPa) {
        tick(Hook.pagetableSetupStart);
        delegate.pagetableSetupStart(pgdPa);
    }

    @Override
    public void pagetableSetupDone(long pgdPa) {
        tick(Hook.pagetableSetupDone);
        delegate.pagetableSetupDone(pgdPa);
    }

    @Override
    public void flushTlbUser() {
        tick(Hook.flushTlbUser);
        delegate.flushTlbUser();
    }

    @Override
    public void flushTlbKernel() {
        tick(Hook.flushTlbKernel);
        delegate.flushTlbKernel();
    }

    @Override
    public void flushTlbSingle(long address) {
        tick(Hook.flushTlbSingle);
        delegate.flushTlbSingle(address);
    }

    @Override
    public void enterLazyMmu() {
        tick(Hook.enterLazyMmu);
        delegate.enterLazyMmu();
    }

    @Override
    public void leaveLazyMmu() {
        tick(Hook.leaveLazyMmu);
        delegate.leaveLazyMmu();
    }

    // hardware events, not calls the kernel makes; counted all the same, as the backend receives them

    @Override
    public boolean observesPageWalks() {
        return delegate.observesPageWalks();
    }

    @Override
    public void pageWalk(PageWalk walk) {
        tick(Hook.pageWalk);
        delegate.pageWalk(walk);
    }

    /** Forwarded, not counted as a hook: the page faults are the guest's own count ({@code guest.page-fault}). */
    @Override
    public void pageFaultRaised(long mmPgdPa, long address, boolean write, boolean user) {
        delegate.pageFaultRaised(mmPgdPa, address, write, user);
    }

    @Override
    public void accessedDirtySet(long mmPgdPa, long address, long entryPa, int level) {
        tick(Hook.accessedDirtySet);
        delegate.accessedDirtySet(mmPgdPa, address, entryPa, level);
    }

    @Override
    public Map<String, Long> counters() {
        return delegate.counters();
    }

    @Override
    public Map<CostEvent, Long> costEvents() {
        return delegate.costEvents();
    }

    @Override
    public List<Finding> audit() {
        return delegate.audit();
    }
}
