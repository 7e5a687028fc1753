package io.pvmm.backend.xen.mm;

import io.pvmm.api.PagingMode;
import io.pvmm.backend.xen.XenRule;
import java.util.Arrays;

/**
 * {@code do_mmuext_op} (Xen 3.1; research notes §4.5): pinning and unpinning tables, loading a
 * vCPU's base pointer, and the TLB operations (counted only: the model has no TLB).
 *
 * <ul>
 *   <li>{@code MMUEXT_PIN_L*_TABLE}: a type reference of that level (validating the whole tree if it
 *       is the first), then the pinned bit; a level beyond the hypervisor's paging levels is ignored
 *       and reported done; a frame already pinned gives its reference back and fails;</li>
 *   <li>{@code MMUEXT_UNPIN_TABLE}: clears the pinned bit and drops the reference (the last one
 *       invalidates the tree); fails if the frame is not pinned;</li>
 *   <li>{@code MMUEXT_NEW_BASEPTR}: a root-type reference on the new base ({@code PGT_root_page_table}:
 *       L2, or L3 in PAE), then the old base's is dropped.</li>
 * </ul>
 *
 * <p>Each vCPU's base starts as "none held"; {@link #loadInitialBases} gives every vCPU the kernel's
 * root, as the domain builder's initial vCPU contexts do.
 *
 * <p><b>Threading:</b> not thread-safe; the {@link Hypervisor}'s domain lock guards it.
 */
final class MmuExtOps {

    private final MachineMemory machine;
    private final FrameTable frames;
    private final TypeReferences types;
    private final XenCounters counters;
    private final PageType rootType;
    private final long[] base;
    private final boolean[] baseHeld;

    MmuExtOps(MachineMemory machine, FrameTable frames, TypeReferences types, XenCounters counters, int vcpus) {
        this.machine = machine;
        this.frames = frames;
        this.types = types;
        this.counters = counters;
        this.rootType = machine.mode() == PagingMode.PAE ? PageType.L3 : PageType.L2;
        this.base = new long[vcpus];
        this.baseHeld = new boolean[vcpus];
        Arrays.fill(base, -1);
    }

    /** @return {@code PGT_root_page_table}: L2 in 2-level mode, L3 in PAE mode */
    PageType rootType() {
        return rootType;
    }

    /**
     * {@code MMUEXT_PIN_L*_TABLE}.
     *
     * @param level the level named by the command
     * @param mfn   the table
     * @throws XenViolation {@code pin-validation-failed} (or {@code shared-pae-kernel-pmd}) if the tree
     *                      does not validate; {@code pin-of-pinned-frame} if the frame is pinned already
     */
    void pinTable(PageType level, long mfn) {
        int levels = machine.mode() == PagingMode.PAE ? 3 : 2;
        if (level.bits() > levels) {
            return; // beyond CONFIG_PAGING_LEVELS: silently ignored and reported done
        }
        requireOwned(mfn, "MMUEXT_PIN_" + level + "_TABLE");
        String op = String.format("MMUEXT_PIN_%s_TABLE of mfn 0x%x: ", level, mfn);
        acquire(mfn, level, op);
        if (frames.pinned(mfn)) {
            types.putPageType(mfn);
            throw new XenViolation(XenRule.PIN_OF_PINNED_FRAME, machine.pfnForReport(mfn),
                    op + "mfn is already pinned", "a frame that is not pinned", FrameTable.describe(frames.word(mfn)));
        }
        frames.set(mfn, frames.word(mfn) | FrameTable.PGT_PINNED);
        counters.pins.incrementAndGet();
    }

    /**
     * {@code MMUEXT_UNPIN_TABLE}.
     *
     * @param mfn the table
     * @throws XenViolation {@code unpin-of-unpinned-frame} if the frame is not pinned
     */
    void unpinTable(long mfn) {
        requireOwned(mfn, "MMUEXT_UNPIN_TABLE");
        if (!frames.pinned(mfn)) {
            throw new XenViolation(XenRule.UNPIN_OF_UNPINNED_FRAME, machine.pfnForReport(mfn),
                    String.format("MMUEXT_UNPIN_TABLE of mfn 0x%x: mfn is not pinned", mfn),
                    "a pinned frame", FrameTable.describe(frames.word(mfn)));
        }
        frames.set(mfn, frames.word(mfn) & ~FrameTable.PGT_PINNED);
        types.putPageType(mfn);
        counters.unpins.incrementAndGet();
    }

    /**
     * {@code MMUEXT_NEW_BASEPTR} ({@code new_guest_cr3}) for one vCPU.
     *
     * @param vcpu the vCPU
     * @param mfn  the new root
     * @throws XenViolation if the new root does not validate as a root
     */
    void newBaseptr(int vcpu, long mfn) {
        requireOwned(mfn, "MMUEXT_NEW_BASEPTR");
        acquire(mfn, rootType, String.format("MMUEXT_NEW_BASEPTR to mfn 0x%x: ", mfn));
        if (baseHeld[vcpu]) {
            types.putPageType(base[vcpu]);
        }
        base[vcpu] = mfn;
        baseHeld[vcpu] = true;
    }

    /**
     * Every vCPU whose base holds no reference gets {@code mfn} as its base — the initial vCPU
     * contexts, all on the kernel's root.
     *
     * @param mfn the kernel's root, pinned
     */
    void loadInitialBases(long mfn) {
        for (int v = 0; v < base.length; v++) {
            if (!baseHeld[v]) {
                types.getPageType(mfn, rootType, false);
                base[v] = mfn;
                baseHeld[v] = true;
            }
        }
    }

    /**
     * Sets a vCPU's base without taking a reference: the domain builder's page table, before any
     * base is loaded.
     *
     * @param vcpu the vCPU
     * @param mfn  the root
     */
    void setUnheldBase(int vcpu, long mfn) {
        if (baseHeld[vcpu]) {
            throw new IllegalStateException("vCPU " + vcpu + " holds its base already");
        }
        base[vcpu] = mfn;
    }

    /**
     * A vCPU's base.
     *
     * @param vcpu the vCPU
     * @return the root it translates through, or -1 before any base was loaded
     */
    long base(int vcpu) {
        return base[vcpu];
    }

    /** @return whether the vCPU's base holds a root-type reference */
    boolean baseHeld(int vcpu) {
        return baseHeld[vcpu];
    }

    /** @return the number of vCPUs */
    int vcpus() {
        return base.length;
    }

    /** A type reference for a pin or a base; validation failures become {@code pin-validation-failed}. */
    private void acquire(long mfn, PageType type, String op) {
        try {
            types.getPageType(mfn, type, false);
        } catch (XenViolation v) {
            if (v.xenRule() == XenRule.SHARED_PAE_KERNEL_PMD) {
                throw v.restate(XenRule.SHARED_PAE_KERNEL_PMD, op);
            }
            throw v.restate(XenRule.PIN_VALIDATION_FAILED, op + "Error while pinning [" + v.ruleId() + "] ");
        }
    }

    private void requireOwned(long mfn, String op) {
        if (!machine.owns(mfn)) {
            throw new XenViolation(XenRule.FRAME_NOT_OWNED, mfn, op + " of mfn 0x" + Long.toHexString(mfn)
                    + ", which the domain does not own", "a machine frame below 0x" + Long.toHexString(machine.frames()),
                    "mfn 0x" + Long.toHexString(mfn));
        }
    }
}
