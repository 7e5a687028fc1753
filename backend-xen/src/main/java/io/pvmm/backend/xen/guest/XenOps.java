package io.pvmm.backend.xen.guest;

import io.pvmm.api.BackendContext;
import io.pvmm.api.CostEvent;
import io.pvmm.api.EntryBits;
import io.pvmm.api.Finding;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.backend.xen.mm.Hypercall;
import io.pvmm.backend.xen.mm.XenCounters;
import io.pvmm.backend.xen.mm.DomainLock;
import io.pvmm.backend.xen.mm.Hypervisor;
import io.pvmm.backend.xen.mm.MachineMemory;
import io.pvmm.backend.xen.mm.MmuextCmd;
import io.pvmm.backend.xen.guest.AnnouncedTables.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The guest's Xen port as the first paravirt_ops port used this SPI, over a modelled Xen 3.1
 * hypervisor ({@link Hypervisor}).
 *
 * <ul>
 *   <li><b>Lifecycle hooks:</b> {@code allocPt}/{@code allocPd}/{@code allocPdClone} make the frame
 *       read-only in the direct map ({@code make_lowmem_page_readonly}); {@code releasePt}/{@code releasePd}
 *       make it writable again, {@code releasePd} also clears it. A release of a pinned, still typed or
 *       already free frame is refused.</li>
 *   <li><b>Late pin, early unpin:</b> {@code dupMmap} and {@code activateMm} pin the new root
 *       ({@link PgdPin#xenPgdPin}); {@code exitMmap} first moves every vCPU off the root, then unpins
 *       it and makes its tables writable. {@code pagetableSetupDone} pins the kernel's root for good.</li>
 *   <li><b>Writes:</b> {@code setPmd}, {@code pmdClear}, {@code setPgd} are {@code mmu_update}s;
 *       {@code setPteAt} on the current address space (or {@code init_mm}) is
 *       {@code update_va_mapping} of the address, which Xen applies to whichever pte maps that address
 *       (falling back to a plain store if Xen refuses it outside lazy mode); any other pte store is a
 *       plain store ({@code xen_set_pte}): to a writable frame it is stored, to a frame of a pinned
 *       tree ({@code PG_pinned}) it traps, and Xen emulates it if the frame is an L1 and refuses it
 *       otherwise; a table announced outside every pinned tree, read-only since its announcement, is
 *       written with {@code mmu_update}. In lazy MMU mode the hypercalls queue in the vCPU's
 *       multicall buffer, and stay queued across plain stores.</li>
 *   <li><b>Boot:</b> until {@code pagetableSetupDone}, a {@code setPte} that maps a frame announced as
 *       a page table is stored read-only ({@code xen_set_pte_init}), because announcements come before
 *       the direct map of those frames exists.</li>
 * </ul>
 *
 * <p>The port decides from what a guest knows: its own {@code PG_pinned} ({@link PgPinned}), the root
 * each vCPU loaded ({@link LoadedRoots}), its own page tables and direct map. It never reads the
 * hypervisor's frame state.
 *
 * <p><b>Threading:</b> every call runs under the domain lock; per-vCPU state (lazy mode, batches, the
 * loaded root) is indexed by {@link BackendContext#currentCpu()}.
 */
@SuppressWarnings("try") // the held lock is the resource: released when the block ends
public final class XenOps implements ParavirtOps {

    private final BackendContext context;
    private final GuestLayout layout;
    private final PagingMode mode;
    private final GuestMemory memory;
    private final MachineMemory machine;
    private final XenCounters counters;
    private final Hypervisor hv;
    private final DomainLock lock;
    private final LowmemMappings lowmem;
    private final Multicalls mc;
    private final PgdPin pin;
    private final TableFrames frames;
    private final PgPinned pinned = new PgPinned();
    private final LoadedRoots loaded;

    /**
     * Creates the port and the hypervisor state for one guest.
     *
     * @param context      the guest's memory, layout and vCPUs
     * @param p2mSeed      seed of the phys-to-machine permutation
     * @param lazyBatching whether lazy MMU mode queues hypercalls
     */
    public XenOps(BackendContext context, long p2mSeed, boolean lazyBatching) {
        this.context = context;
        this.layout = context.layout();
        this.mode = layout.mode();
        this.memory = context.memory();
        this.machine = new MachineMemory(memory, mode, p2mSeed);
        this.counters = new XenCounters();
        this.hv = new Hypervisor(machine, context.vcpus(), counters);
        // 2.6.23's xen_arch_setup, before paging_init: the port understands the extended CR3 format
        // (it is not auto-translated), so Xen accepts its PAE roots above 4 GiB
        hv.enablePaeExtendedCr3();
        this.lock = hv.domainLock();
        this.lowmem = new LowmemMappings(layout, machine);
        this.mc = new Multicalls(hv, context.vcpus(), lazyBatching);
        this.loaded = new LoadedRoots(context.vcpus());
        this.pin = new PgdPin(layout, hv, lowmem, mc, pinned, loaded);
        this.frames = new TableFrames(layout, hv, lowmem, mc, pinned);
    }

    /** @return the hypervisor behind the port, for inspection */
    public Hypervisor hypervisor() {
        return hv;
    }

    // ---- lifecycle hooks ----

    @Override
    public void allocPt(long pfn) {
        announce(pfn, Kind.PT);
    }

    @Override
    public void allocPd(long pfn) {
        announce(pfn, Kind.PD);
    }

    @Override
    public void allocPdClone(long pfn, long clonePfn, int start, int count) {
        announce(pfn, Kind.PD);
    }

    @Override
    public void releasePt(long pfn) {
        release(pfn, Kind.PT);
    }

    @Override
    public void releasePd(long pfn) {
        release(pfn, Kind.PD);
    }

    private void announce(long pfn, Kind kind) {
        try (DomainLock.Held held = lock.hold()) {
            frames.announce(cpu(), pfn, kind);
        }
    }

    private void release(long pfn, Kind kind) {
        try (DomainLock.Held held = lock.hold()) {
            frames.release(cpu(), pfn, kind);
        }
    }

    // ---- entry representation ----

    @Override
    public long makeEntry(long value) {
        return machine.makeEntry(value);
    }

    @Override
    public long entryValue(long entry) {
        return machine.entryValue(entry);
    }

    // ---- page-table writes ----

    @Override
    public void setPte(long ptePa, long value) {
        try (DomainLock.Held held = lock.hold()) {
            pteStore(cpu(), ptePa, frames.maskRwPte(value));
        }
    }

    @Override
    public void setPteAtomic(long ptePa, long value) {
        setPte(ptePa, value);
    }

    /**
     * {@code xen_set_pte_at}: on the current mm or {@code init_mm}, {@code update_va_mapping(address)},
     * which Xen applies to the pte that maps {@code address} in the vCPU's address space, wherever
     * {@code ptePa} is, as the hardware walk would; queued in lazy mode, and if Xen refuses it outside
     * lazy mode, a plain store to {@code ptePa}. On any other mm, a plain store.
     */
    @Override
    public void setPteAt(long mmPgdPa, long address, long ptePa, long value) {
        try (DomainLock.Held held = lock.hold()) {
            int cpu = cpu();
            long current = loaded.root(cpu);
            if (current >= 0 && (mmPgdPa == current || mmPgdPa == layout.swapperPgDir())
                    && mc.queueOrTry(cpu, new Hypercall.UpdateVaMapping(address, value))) {
                return;
            }
            pteStore(cpu, ptePa, value);
        }
    }

    @Override
    public void pteClear(long mmPgdPa, long address, long ptePa) {
        setPteAt(mmPgdPa, address, ptePa, 0);
    }

    @Override
    public void setPmd(long pmdPa, long value) {
        try (DomainLock.Held held = lock.hold()) {
            attach(pmdPa, value);
            mmuUpdate(pmdPa, value);
        }
    }

    /**
     * {@code xen_alloc_pt}'s rule: a table "is pinned iff its being attached to a pinned pagetable".
     * The SPI's {@code allocPt} names no mm, so the port marks the table when it links it.
     */
    private void attach(long entryPa, long value) {
        if (EntryBits.isPresent(value) && pinned.test(entryPa >>> PagingMode.PAGE_SHIFT)) {
            long target = lowmem.entryPfn(value);
            if (target >= 0 && frames.isAnnounced(target)) {
                pinned.set(target);
            }
        }
    }

    @Override
    public void pmdClear(long pmdPa) {
        mmuUpdate(pmdPa, 0);
    }

    @Override
    public void setPgd(long pgdEntryPa, long value) {
        try (DomainLock.Held held = lock.hold()) {
            if (frames.booting() && (pgdEntryPa >>> PagingMode.PAGE_SHIFT) == layout.swapperPfn() && EntryBits.isPresent(value)) {
                long target = lowmem.entryPfn(value);
                if (target >= 0) {
                    frames.makeLowmemPageReadonly(cpu(), target); // what swapper links is an L2 to Xen: empty_zero_page too
                }
            }
            attach(pgdEntryPa, value);
            mmuUpdate(pgdEntryPa, value);
        }
    }

    @Override
    public void pteUpdate(long mmPgdPa, long address, long ptePa) {
        // direct paging: the entry Xen checked is the entry the guest changed; nothing to resynchronise
    }

    /**
     * A kernel store without a hook that faulted on a read-only direct-map entry: Xen's
     * {@code ptwr_do_page_fault} emulates it if the frame is a typed L1, else the fault is the
     * guest's oops. Whatever this vCPU has queued stays queued: the trap is the hardware's, not a
     * hypercall of the guest's.
     */
    @Override
    public boolean writeFault(long pa, long value) {
        try (DomainLock.Held held = lock.hold()) {
            long pfn = pa >>> PagingMode.PAGE_SHIFT;
            if (!lowmem.isReadOnly(pfn)) {
                memory.writeEntry(pa, value); // made writable meanwhile: the retried store goes through
                return true;
            }
            hv.trappedWrite(machine.p2m(pfn), index(pa), value);
            return true;
        }
    }

    /**
     * A pte store as the port makes it: {@code xen_set_pte} is a plain store, so a writable frame
     * takes it and a frame of a pinned tree ({@code PG_pinned}) traps, and Xen emulates the write if
     * the frame is an L1 ({@code direct-write-to-read-only-frame} if it is a page directory or root).
     * A table announced outside every pinned tree is read-only since its announcement but not yet
     * validated, so the port writes it with {@code mmu_update} (queued in lazy mode).
     */
    private void pteStore(int cpu, long pa, long value) {
        long pfn = pa >>> PagingMode.PAGE_SHIFT;
        if (!lowmem.isReadOnly(pfn)) {
            memory.writeEntry(pa, value);
            return;
        }
        if (pinned.test(pfn)) {
            hv.trappedWrite(machine.p2m(pfn), index(pa), value);
            return;
        }
        mc.queue(cpu, new Hypercall.MmuUpdate(machine.machineAddress(pa), value));
    }

    private void mmuUpdate(long pa, long value) {
        try (DomainLock.Held held = lock.hold()) {
            mc.queue(cpu(), new Hypercall.MmuUpdate(machine.machineAddress(pa), value));
        }
    }

    // ---- address spaces ----

    @Override
    public void activateMm(long prevPgdPa, long nextPgdPa) {
        try (DomainLock.Held held = lock.hold()) {
            pin.xenPgdPin(cpu(), nextPgdPa);
        }
    }

    @Override
    public void writeCr3(long pgdPa) {
        try (DomainLock.Held held = lock.hold()) {
            int cpu = cpu();
            mc.issue(cpu, new Hypercall.MmuextOp(MmuextCmd.NEW_BASEPTR, machine.p2m(pgdPa >>> PagingMode.PAGE_SHIFT)));
            loaded.load(cpu, pgdPa);
        }
    }

    @Override
    public void dupMmap(long oldPgdPa, long newPgdPa) {
        try (DomainLock.Held held = lock.hold()) {
            pin.xenPgdPin(cpu(), newPgdPa);
        }
    }

    @Override
    public void exitMmap(long pgdPa) {
        try (DomainLock.Held held = lock.hold()) {
            pin.xenExitMmap(cpu(), pgdPa);
        }
    }

    @Override
    public void pagetableSetupStart(long pgdPa) {
        try (DomainLock.Held held = lock.hold()) {
            hv.setBuilderBase(machine.p2m(pgdPa >>> PagingMode.PAGE_SHIFT));
            if (mode == PagingMode.PAE) {
                frames.makeLowmemPageReadonly(cpu(), pgdPa >>> PagingMode.PAGE_SHIFT); // the root is an L3 to Xen
            }
        }
    }

    @Override
    public void pagetableSetupDone(long pgdPa) {
        try (DomainLock.Held held = lock.hold()) {
            long mfn = machine.p2m(pgdPa >>> PagingMode.PAGE_SHIFT);
            mc.issue(cpu(), new Hypercall.MmuextOp(pin.pinCommand(), mfn));
            hv.loadInitialBases(mfn);
            loaded.loadAll(pgdPa);
            frames.bootDone();
        }
    }

    // ---- TLB and lazy mode ----

    @Override
    public void flushTlbUser() {
        mmuext(MmuextCmd.TLB_FLUSH_LOCAL, 0);
    }

    @Override
    public void flushTlbKernel() {
        mmuext(MmuextCmd.TLB_FLUSH_LOCAL, 0);
    }

    @Override
    public void flushTlbSingle(long address) {
        mmuext(MmuextCmd.INVLPG_LOCAL, address);
    }

    private void mmuext(MmuextCmd cmd, long arg) {
        try (DomainLock.Held held = lock.hold()) {
            mc.issue(cpu(), new Hypercall.MmuextOp(cmd, arg));
        }
    }

    @Override
    public void enterLazyMmu() {
        try (DomainLock.Held held = lock.hold()) {
            mc.enterLazy(cpu());
        }
    }

    @Override
    public void leaveLazyMmu() {
        try (DomainLock.Held held = lock.hold()) {
            mc.leaveLazy(cpu());
        }
    }

    // ---- inspection ----

    /**
     * A guest page fault: it entered Xen first (the guest's kernel runs in ring 1 and Xen owns the IDT),
     * which copied CR2 into the vCPU's shared info and bounced the fault to the guest's handler.
     */
    @Override
    public void pageFaultRaised(long mmPgdPa, long address, boolean write, boolean user) {
        counters.faultBounces.incrementAndGet();
    }

    @Override
    public Map<String, Long> counters() {
        return counters.snapshot();
    }

    @Override
    public Map<CostEvent, Long> costEvents() {
        return counters.costEvents();
    }

    /**
     * The hypervisor's audit, plus the port's: no announced frame and no frame the direct map maps
     * read-only is in the guest's free pool.
     */
    @Override
    public List<Finding> audit() {
        try (DomainLock.Held held = lock.hold()) {
            List<Finding> findings = new ArrayList<>(hv.audit());
            frames.audit(findings);
            return findings;
        }
    }

    private int cpu() {
        return context.currentCpu();
    }

    private int index(long pa) {
        return (int) ((pa & (PagingMode.PAGE_SIZE - 1)) / mode.entryBytes());
    }
}
