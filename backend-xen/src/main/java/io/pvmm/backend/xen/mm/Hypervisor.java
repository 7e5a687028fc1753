package io.pvmm.backend.xen.mm;

import io.pvmm.api.Finding;
import io.pvmm.backend.xen.XenRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The hypervisor's half of the Xen paravirtual MMU, for one domain: its frame table, the type rules,
 * and the hypercalls that change them — {@code mmu_update}, {@code update_va_mapping},
 * {@code mmuext_op}, {@code multicall} — and the trapped write Xen emulates. Frames are machine frames;
 * the guest's memory is reached through {@link MachineMemory}.
 *
 * <p><b>Threading:</b> one domain lock (Xen's big lock, {@link #domainLock()}) guards every change of
 * frame state; every method takes it. A caller that must make a decision and a hypercall atomically
 * (the guest port) holds it around both — it is reentrant.
 *
 * <p><b>Errors:</b> a refused request throws {@link XenViolation} before changing any state. A
 * multicall runs every entry, each on its own, and reports every one that failed
 * ({@code do_multicall} stores each entry's result; the guest's {@code xen_mc_flush} then
 * {@code BUG()}s on any negative one).
 */
@SuppressWarnings("try") // the held lock is the resource: released when the block ends
public final class Hypervisor {

    private final DomainLock domainLock = new DomainLock();
    private final MachineMemory machine;
    private final XenCounters counters;
    private final FrameTable frames;
    private final TypeReferences types;
    private final TableValidation tables;
    private final MmuUpdates mmu;
    private final MmuExtOps ext;
    private final TypeAudit typeAudit;
    private boolean running;

    /**
     * Creates the hypervisor state for a domain with no typed frame.
     *
     * @param machine  the domain's memory and its phys-to-machine map
     * @param vcpus    the domain's vCPUs
     * @param counters where to count
     */
    public Hypervisor(MachineMemory machine, int vcpus, XenCounters counters) {
        this.machine = Objects.requireNonNull(machine, "machine");
        this.counters = Objects.requireNonNull(counters, "counters");
        this.frames = new FrameTable(machine.frames(), counters);
        this.types = new TypeReferences(frames, machine::pfnForReport);
        this.tables = new TableValidation(machine, frames, types, counters);
        this.types.setTables(tables);
        this.mmu = new MmuUpdates(machine, frames, types, tables, counters);
        this.ext = new MmuExtOps(machine, frames, types, counters, vcpus);
        this.typeAudit = new TypeAudit(machine, frames, tables, ext);
    }

    /** @return the domain lock, which guards every frame-state change */
    public DomainLock domainLock() {
        return domainLock;
    }

    /** @return the domain's memory */
    public MachineMemory machine() {
        return machine;
    }

    /**
     * One direct hypercall.
     *
     * @param vcpu the calling vCPU
     * @param call the request
     * @throws XenViolation if the request is refused
     */
    public void hypercall(int vcpu, Hypercall call) {
        try (DomainLock.Held held = domainLock.hold()) {
            counters.hypercalls.incrementAndGet();
            execute(vcpu, call);
        }
    }

    /**
     * {@code HYPERVISOR_multicall} ({@code do_multicall}): one hypercall that runs every entry in
     * order, each on its own; an entry that fails changes nothing and does not stop the ones after it.
     *
     * @param vcpu  the calling vCPU
     * @param batch the entries
     * @throws XenViolation if any entry failed: the first failure, naming its entry and how many
     *                      failed, with each later failure attached as a suppressed exception
     */
    public void multicall(int vcpu, List<Hypercall> batch) {
        try (DomainLock.Held held = domainLock.hold()) {
            counters.hypercalls.incrementAndGet();
            counters.multicalls.incrementAndGet();
            List<XenViolation> failed = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                Hypercall call = batch.get(i);
                try {
                    execute(vcpu, call);
                } catch (XenViolation v) {
                    failed.add(v.restate(v.xenRule(), String.format("multicall entry %d of %d, %s: ", i + 1, batch.size(), call)));
                }
            }
            if (!failed.isEmpty()) {
                XenViolation first = failed.get(0);
                if (failed.size() > 1) {
                    first = first.restate(first.xenRule(), failed.size() + " of " + batch.size() + " multicall entries failed; ");
                    for (int i = 1; i < failed.size(); i++) {
                        first.addSuppressed(failed.get(i));
                    }
                }
                throw first;
            }
        }
    }

    /**
     * The guest stored to a frame it maps read-only: Xen emulates the store if the frame is an L1 with
     * type references (the writable-page-table assist), else the fault goes to the guest.
     *
     * @param mfn   the frame written
     * @param index the entry
     * @param value the value stored
     * @throws XenViolation {@code direct-write-to-read-only-frame} if the frame is not a typed L1, or the
     *                      rule the new entry breaks
     */
    public void trappedWrite(long mfn, int index, long value) {
        try (DomainLock.Held held = domainLock.hold()) {
            mmu.ptwrEmulate(mfn, index, value);
        }
    }

    /**
     * {@code HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3)}: the guest
     * understands the extended CR3 format, so a PAE root may lie above 4 GiB. Off until the guest
     * enables it; a PAE root at or above machine frame 0x100000 then fails validation
     * ({@code pin-validation-failed}). Not counted as a hypercall: it belongs to the guest's
     * {@code setup_arch}, before anything the model counts.
     */
    public void enablePaeExtendedCr3() {
        try (DomainLock.Held held = domainLock.hold()) {
            tables.setPaeExtendedCr3(true);
        }
    }

    /** @return whether the guest has enabled {@code VMASST_TYPE_pae_extended_cr3} */
    public boolean paeExtendedCr3() {
        try (DomainLock.Held held = domainLock.hold()) {
            return tables.paeExtendedCr3();
        }
    }

    /**
     * The domain builder's base: every vCPU translates through {@code mfn} without holding a reference
     * to it, until {@link #loadInitialBases}. Until a base is loaded, no table is validated and an
     * {@code update_va_mapping} of an unvalidated L1 is stored as given.
     *
     * @param mfn the kernel's root
     */
    public void setBuilderBase(long mfn) {
        try (DomainLock.Held held = domainLock.hold()) {
            for (int v = 0; v < ext.vcpus(); v++) {
                if (!ext.baseHeld(v)) {
                    ext.setUnheldBase(v, mfn);
                }
            }
        }
    }

    /**
     * The initial vCPU contexts: every vCPU without a loaded base takes {@code mfn} as its base, with
     * a root-type reference. From now on every table reached from a base is validated.
     *
     * @param mfn the kernel's root, already pinned
     */
    public void loadInitialBases(long mfn) {
        try (DomainLock.Held held = domainLock.hold()) {
            ext.loadInitialBases(mfn);
            running = true;
        }
    }

    /**
     * A vCPU's current base.
     *
     * @param vcpu the vCPU
     * @return its root's machine frame, or -1 before any
     */
    public long base(int vcpu) {
        try (DomainLock.Held held = domainLock.hold()) {
            return ext.base(vcpu);
        }
    }

    /**
     * A frame's type.
     *
     * @param mfn a machine frame the domain owns
     * @return its type field (kept at count 0)
     */
    public PageType pageType(long mfn) {
        try (DomainLock.Held held = domainLock.hold()) {
            return frames.type(mfn);
        }
    }

    /**
     * A frame's type count.
     *
     * @param mfn a machine frame the domain owns
     * @return the references to its type
     */
    public int typeCount(long mfn) {
        try (DomainLock.Held held = domainLock.hold()) {
            return frames.count(mfn);
        }
    }

    /**
     * Whether a frame is pinned.
     *
     * @param mfn a machine frame the domain owns
     * @return the pinned bit
     */
    public boolean isPinned(long mfn) {
        try (DomainLock.Held held = domainLock.hold()) {
            return frames.pinned(mfn);
        }
    }

    /**
     * Whether a frame is a page table with type references: the frames Xen protects.
     *
     * @param mfn a machine frame the domain owns
     * @return whether its type is L1, L2 or L3 with a count above 0
     */
    public boolean isTypedTable(long mfn) {
        try (DomainLock.Held held = domainLock.hold()) {
            return frames.count(mfn) > 0 && frames.type(mfn).isPageTable();
        }
    }

    /**
     * Whether a trapped write to a frame would be emulated: an L1 with type references.
     *
     * @param mfn a machine frame the domain owns
     * @return whether the frame is a typed L1
     */
    public boolean isTypedL1(long mfn) {
        try (DomainLock.Held held = domainLock.hold()) {
            return frames.count(mfn) > 0 && frames.type(mfn) == PageType.L1;
        }
    }

    /**
     * Recomputes every type count from the live state and checks the hypervisor's invariants; call
     * only while the guest is quiescent. Linear in the frames with type references.
     *
     * @return the findings: {@code type-count-mismatch}, {@code page-table-mapped-writable},
     *         {@code page-table-in-free-pool}
     */
    public List<Finding> audit() {
        try (DomainLock.Held held = domainLock.hold()) {
            return typeAudit.run();
        }
    }

    private void execute(int vcpu, Hypercall call) {
        if (call instanceof Hypercall.MmuUpdate u) {
            mmu.doMmuUpdate(u.ptr(), u.val());
        } else if (call instanceof Hypercall.UpdateVaMapping m) {
            long base = ext.base(vcpu);
            if (base < 0) {
                throw new XenViolation(XenRule.UPDATE_VA_MAPPING_UNMAPPED, -1,
                        String.format("update_va_mapping of 0x%08x on vCPU %d, which has no base yet", m.va(), vcpu),
                        "a loaded base", "none");
            }
            mmu.doUpdateVaMapping(base, m.va(), m.val(), !running);
        } else if (call instanceof Hypercall.MmuextOp op) {
            counters.mmuextOps.incrementAndGet();
            switch (op.cmd()) {
                case PIN_L1_TABLE -> ext.pinTable(PageType.L1, op.arg());
                case PIN_L2_TABLE -> ext.pinTable(PageType.L2, op.arg());
                case PIN_L3_TABLE -> ext.pinTable(PageType.L3, op.arg());
                case UNPIN_TABLE -> ext.unpinTable(op.arg());
                case NEW_BASEPTR -> {
                    ext.newBaseptr(vcpu, op.arg());
                    running = true;
                }
                case TLB_FLUSH_LOCAL, INVLPG_LOCAL -> counters.tlbFlushes.incrementAndGet(); // the guest's TLB is the model's
                default -> throw new IllegalArgumentException(op.toString());
            }
        } else {
            throw new IllegalArgumentException(String.valueOf(call));
        }
    }
}
