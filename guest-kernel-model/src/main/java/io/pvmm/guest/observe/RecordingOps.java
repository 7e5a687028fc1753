package io.pvmm.guest.observe;

import io.pvmm.api.CostEvent;
import io.pvmm.api.Finding;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PageWalk;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.TrappedStore;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Records every call the guest makes on a backend as one line, then delegates: the hook recording
 * that {@code pvmm run --record-hooks} writes and {@code pvmm replay-hooks} feeds to another backend.
 *
 * <p>A call line is the vCPU, the method name (a {@link Hook} name) and its arguments in hexadecimal:
 * <pre>
 * 0 allocPt 0x1a3
 * 0 setPteAt 0x1c0b000 0x8048000 0x1a3020 0x2f4067
 * </pre>
 * Before a call whose backend may read what the guest stored in memory by itself (plain stores the
 * SPI never sees), the recorder writes that memory as it stands, in two pseudo-calls a replayer
 * performs on memory directly, as native hardware would:
 * <ul>
 *   <li>{@code clearFrame PFN} then one {@code store PA VALUE} per non-zero entry, before
 *       {@code allocPt}, {@code allocPd} and {@code allocPdClone} (the announced frame's contents);</li>
 *   <li>{@code store PA VALUE} of the changed entry before {@code pteUpdate} (the guest changed it in
 *       place) and {@code accessedDirtySet} (the MMU did), and of the root's entries before {@code activateMm}, {@code dupMmap} and
 *       {@code writeCr3} in PAE mode (a PAE root is a 32-byte object the guest fills by itself).</li>
 * </ul>
 * {@code makeEntry}, {@code entryValue}, {@code counters} and {@code audit} are not recorded: they do
 * not change the backend's state; nor is {@code pageWalk}, which a replay without a TLB cannot make.
 *
 * <p>Calls are recorded and delegated under one lock, so the recording's order is the order in which
 * the backend saw them, even with several vCPUs (which this serialises; recording is for diagnosis,
 * not speed). A call that throws is recorded: the guest made it.
 */
public final class RecordingOps implements ParavirtOps {

    private final ParavirtOps delegate;
    private final GuestMemory memory;
    private final PagingMode mode;
    private final IntSupplier cpu;
    private final Consumer<String> sink;
    private long calls;

    /**
     * Wraps a backend.
     *
     * @param delegate the backend
     * @param memory   the guest's memory, read for the {@code store} pseudo-calls
     * @param mode     the paging mode
     * @param cpu      answers the calling vCPU
     * @param sink     receives each line, without its line break, in order
     */
    public RecordingOps(ParavirtOps delegate, GuestMemory memory, PagingMode mode, IntSupplier cpu, Consumer<String> sink) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.cpu = Objects.requireNonNull(cpu, "cpu");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** @return the calls recorded so far (pseudo-calls not included) */
    public synchronized long calls() {
        return calls;
    }

    /** @return the wrapped backend */
    public ParavirtOps delegate() {
        return delegate;
    }

    private void line(Hook hook, long... args) {
        StringBuilder sb = new StringBuilder(48).append(cpu.getAsInt()).append(' ').append(hook.name());
        for (long a : args) {
            sb.append(' ').append(hex(a));
        }
        sink.accept(sb.toString());
        calls++;
    }

    private void store(long pa) {
        sink.accept(cpu.getAsInt() + " store " + hex(pa) + " " + hex(memory.readEntry(pa)));
    }

    private void frame(long pfn) {
        int c = cpu.getAsInt();
        sink.accept(c + " clearFrame " + hex(pfn));
        int bytes = memory.entryBytes();
        for (int i = 0; i < memory.entriesPerFrame(); i++) {
            long pa = (pfn << PagingMode.PAGE_SHIFT) + (long) i * bytes;
            long v = memory.readEntry(pa);
            if (v != 0) {
                sink.accept(c + " store " + hex(pa) + " " + hex(v));
            }
        }
    }

    private void root(long pgdPa) {
        if (mode == PagingMode.PAE) {
            for (int i = 0; i < mode.ptrsPerPgd(); i++) {
                store(pgdPa + (long) i * mode.entryBytes());
            }
        }
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v).toLowerCase(Locale.ROOT);
    }

    @Override
    public synchronized void allocPt(long pfn) {
        frame(pfn);
        line(Hook.allocPt, pfn);
        delegate.allocPt(pfn);
    }

    @Override
    public synchronized void allocPd(long pfn) {
        frame(pfn);
        line(Hook.allocPd, pfn);
        delegate.allocPd(pfn);
    }

    @Override
    public synchronized void allocPdClone(long pfn, long clonePfn, int start, int count) {
        frame(pfn);
        line(Hook.allocPdClone, pfn, clonePfn, start, count);
        delegate.allocPdClone(pfn, clonePfn, start, count);
    }

    @Override
    public synchronized void releasePt(long pfn) {
        line(Hook.releasePt, pfn);
        delegate.releasePt(pfn);
    }

    @Override
    public synchronized void releasePd(long pfn) {
        line(Hook.releasePd, pfn);
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
    public synchronized void setPte(long ptePa, long value) {
        line(Hook.setPte, ptePa, value);
        delegate.setPte(ptePa, value);
    }

    @Override
    public synchronized void setPteAt(long mmPgdPa, long address, long ptePa, long value) {
        line(Hook.setPteAt, mmPgdPa, address, ptePa, value);
        delegate.setPteAt(mmPgdPa, address, ptePa, value);
    }

    @Override
    public synchronized void setPteAtomic(long ptePa, long value) {
        line(Hook.setPteAtomic, ptePa, value);
        delegate.setPteAtomic(ptePa, value);
    }

    @Override
    public synchronized void setPmd(long pmdPa, long value) {
        line(Hook.setPmd, pmdPa, value);
        delegate.setPmd(pmdPa, value);
    }

    @Override
    public synchronized void setPgd(long pgdEntryPa, long value) {
        line(Hook.setPgd, pgdEntryPa, value);
        delegate.setPgd(pgdEntryPa, value);
    }

    @Override
    public synchronized void pteClear(long mmPgdPa, long address, long ptePa) {
        line(Hook.pteClear, mmPgdPa, address, ptePa);
        delegate.pteClear(mmPgdPa, address, ptePa);
    }

    @Override
    public synchronized void pmdClear(long pmdPa) {
        line(Hook.pmdClear, pmdPa);
        delegate.pmdClear(pmdPa);
    }

    @Override
    public synchronized void pteUpdate(long mmPgdPa, long address, long ptePa) {
        store(ptePa);
        line(Hook.pteUpdate, mmPgdPa, address, ptePa);
        delegate.pteUpdate(mmPgdPa, address, ptePa);
    }

    @Override
    public void storeTrapped(TrappedStore store) {
        delegate.storeTrapped(store); // a hardware event, not a paravirt call: the backend counts it
    }

    @Override
    public synchronized boolean writeFault(long pa, long value) {
        line(Hook.writeFault, pa, value);
        return delegate.writeFault(pa, value);
    }

    @Override
    public synchronized void activateMm(long prevPgdPa, long nextPgdPa) {
        root(nextPgdPa);
        line(Hook.activateMm, prevPgdPa, nextPgdPa);
        delegate.activateMm(prevPgdPa, nextPgdPa);
    }

    @Override
    public synchronized void writeCr3(long pgdPa) {
        root(pgdPa);
        line(Hook.writeCr3, pgdPa);
        delegate.writeCr3(pgdPa);
    }

    @Override
    public synchronized void dupMmap(long oldPgdPa, long newPgdPa) {
        root(newPgdPa);
        line(Hook.dupMmap, oldPgdPa, newPgdPa);
        delegate.dupMmap(oldPgdPa, newPgdPa);
    }

    @Override
    public synchronized void exitMmap(long pgdPa) {
        line(Hook.exitMmap, pgdPa);
        delegate.exitMmap(pgdPa);
    }

    @Override
    public synchronized void pagetableSetupStart(long pgdPa) {
        line(Hook.pagetableSetupStart, pgdPa);
        delegate.pagetableSetupStart(pgdPa);
    }

    @Override
    public synchronized void pagetableSetupDone(long pgdPa) {
        line(Hook.pagetableSetupDone, pgdPa);
        delegate.pagetableSetupDone(pgdPa);
    }

    @Override
    public synchronized void flushTlbUser() {
        line(Hook.flushTlbUser);
        delegate.flushTlbUser();
    }

    @Override
    public synchronized void flushTlbKernel() {
        line(Hook.flushTlbKernel);
        delegate.flushTlbKernel();
    }

    @Override
    public synchronized void flushTlbSingle(long address) {
        line(Hook.flushTlbSingle, address);
        delegate.flushTlbSingle(address);
    }

    @Override
    public synchronized void enterLazyMmu() {
        line(Hook.enterLazyMmu);
        delegate.enterLazyMmu();
    }

    @Override
    public synchronized void leaveLazyMmu() {
        line(Hook.leaveLazyMmu);
        delegate.leaveLazyMmu();
    }

    // hardware events: the walker's bit updates are recorded with their store, as pteUpdate is; the
    // walks themselves are forwarded, not recorded (a replay has no TLB)

    @Override
    public synchronized void accessedDirtySet(long mmPgdPa, long address, long entryPa, int level) {
        store(entryPa);
        line(Hook.accessedDirtySet, mmPgdPa, address, entryPa, level);
        delegate.accessedDirtySet(mmPgdPa, address, entryPa, level);
    }

    @Override
    public boolean observesPageWalks() {
        return delegate.observesPageWalks();
    }

    @Override
    public void pageWalk(PageWalk walk) {
        delegate.pageWalk(walk);
    }

    /** Forwarded, not recorded: a replay has no TLB to fault. */
    @Override
    public void pageFaultRaised(long mmPgdPa, long address, boolean write, boolean user) {
        delegate.pageFaultRaised(mmPgdPa, address, write, user);
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
