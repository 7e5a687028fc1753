package io.pvmm.backend.xen.mm;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.backend.xen.XenRule;

/**
 * Validation and invalidation of page tables, and the references their entries hold
 * ({@code xen/arch/x86/mm.c}, Xen 3.1; research notes §4.4):
 *
 * <ul>
 *   <li>{@code get_page_from_l1e}: a present entry must not carry PSE or GLOBAL (3.1's
 *       {@code BASE_DISALLOW_MASK}) or bits above the frame mask, must name a frame the domain owns,
 *       and if it is writable takes a {@link PageType#WRITABLE} reference on its frame — which fails
 *       if the frame is a page table with references;</li>
 *   <li>{@code get_page_from_l2e}: the same flag checks, then an {@link PageType#L1} reference on the
 *       frame, validating it if that is its first; only the guest's slots are looked at (2-level:
 *       below 1008; the slot-3 pmd of a PAE root: below 428);</li>
 *   <li>{@code alloc_l3_table} (PAE root): the root below 4 GiB (mfn below 0x100000) unless the guest
 *       enabled {@code VMASST_TYPE_pae_extended_cr3}; only PRESENT and the available bits, slot 3
 *       present and typed {@code L2 | PGT_pae_xen_l2} with a type count of exactly 1, the other slots
 *       typed L2.</li>
 * </ul>
 *
 * <p>Every {@code alloc_l*_table} undoes the references it took when an entry fails, so a failed
 * validation leaves no trace. Failures name the innermost offending entry: table frame, index, value.
 *
 * <p><b>Threading:</b> not thread-safe; the {@link Hypervisor}'s domain lock guards it.
 */
final class TableValidation implements TypeReferences.Tables {

    /** PAE root entries: only PRESENT and the available bits 9-11 ({@code L3_DISALLOW_MASK}). */
    private static final long L3_ALLOWED_FLAGS = EntryBits.PRESENT | 0xE00L;
    /** The first machine frame at 4 GiB: a PAE root must lie below it without the extended-cr3 assist. */
    static final long PAE_ROOT_MFN_LIMIT = 0x100000L;

    private final MachineMemory machine;
    private final FrameTable frames;
    private final TypeReferences types;
    private final XenCounters counters;
    private final PagingMode mode;
    private final int entries;
    private final int firstXenSlot;
    private final long highBits;
    private boolean paeExtendedCr3;

    TableValidation(MachineMemory machine, FrameTable frames, TypeReferences types, XenCounters counters) {
        this.machine = machine;
        this.frames = frames;
        this.types = types;
        this.counters = counters;
        this.mode = machine.mode();
        this.entries = machine.entriesPerFrame();
        this.firstXenSlot = XenLayout.firstXenL2Slot(mode);
        // bits above the frame mask, NX and the low flags excepted (none in 2-level entries)
        this.highBits = mode == PagingMode.PAE ? ~mode.frameMask() & ~EntryBits.NX & ~0xFFFL : 0;
    }

    /**
     * {@code VMASST_TYPE_pae_extended_cr3}: whether the guest has said it understands the extended
     * CR3 format, so that a PAE root may lie above 4 GiB.
     *
     * @param enabled the assist's state
     */
    void setPaeExtendedCr3(boolean enabled) {
        this.paeExtendedCr3 = enabled;
    }

    /** @return whether the {@code pae_extended_cr3} assist is on */
    boolean paeExtendedCr3() {
        return paeExtendedCr3;
    }

    @Override
    public void allocPageType(long mfn, PageType type, boolean paeXenL2) {
        switch (type) {
            case L1 -> allocL1Table(mfn);
            case L2 -> allocL2Table(mfn, paeXenL2);
            case L3 -> allocL3Table(mfn);
            default -> throw new IllegalArgumentException("no validation for " + type);
        }
    }

    @Override
    public void freePageType(long mfn, PageType type, boolean paeXenL2) {
        switch (type) {
            case L1 -> freeL1Table(mfn);
            case L2 -> freeL2Table(mfn, paeXenL2);
            case L3 -> freeL3Table(mfn);
            default -> throw new IllegalArgumentException("no invalidation for " + type);
        }
    }

    /**
     * {@code is_guest_l2_slot}: whether a slot of an L2 belongs to the guest.
     *
     * @param index    the slot
     * @param paeXenL2 whether the L2 is the slot-3 pmd of a PAE root
     * @return false for Xen's private slots
     */
    boolean isGuestL2Slot(int index, boolean paeXenL2) {
        if (mode == PagingMode.PAE) {
            return !paeXenL2 || index < firstXenSlot;
        }
        return index < firstXenSlot;
    }

    // ---------------------------------------------------------------------------------------------
    // alloc_l*_table / free_l*_table
    // ---------------------------------------------------------------------------------------------

    void allocL1Table(long mfn) {
        int i = 0;
        try {
            for (; i < entries; i++) {
                long e = machine.read(mfn, i);
                if (EntryBits.isPresent(e)) {
                    getPageFromL1e(e, mfn, i);
                }
            }
        } catch (RuntimeException failure) {
            while (--i >= 0) {
                putPageFromL1e(machine.read(mfn, i));
            }
            throw failure;
        }
    }

    void allocL2Table(long mfn, boolean paeXenL2) {
        int i = 0;
        try {
            for (; i < entries; i++) {
                if (!isGuestL2Slot(i, paeXenL2)) {
                    continue;
                }
                long e = machine.read(mfn, i);
                if (EntryBits.isPresent(e)) {
                    getPageFromL2e(e, mfn, i);
                }
            }
        } catch (RuntimeException failure) {
            while (--i >= 0) {
                if (isGuestL2Slot(i, paeXenL2)) {
                    putPageFromL2e(machine.read(mfn, i));
                }
            }
            throw failure;
        }
    }

    void allocL3Table(long mfn) {
        if (mfn >= PAE_ROOT_MFN_LIMIT && !paeExtendedCr3) {
            // a 32-bit CR3 holds a PAE root's address only below 4 GiB
            throw new XenViolation(XenRule.PIN_VALIDATION_FAILED, machine.pfnForReport(mfn),
                    String.format("PAE pgd must be below 4GB (0x%x >= 0x100000): the guest has not enabled VMASST_TYPE_pae_extended_cr3", mfn),
                    "a PAE root below 4 GiB (mfn < 0x100000)", String.format("mfn 0x%x", mfn));
        }
        int ptrs = mode.ptrsPerPgd();
        long slot3 = machine.read(mfn, ptrs - 1);
        if (!EntryBits.isPresent(slot3)) {
            throw new XenViolation(XenRule.PIN_VALIDATION_FAILED, machine.pfnForReport(mfn),
                    String.format("PAE root mfn 0x%x has no pmd in slot 3, which must hold Xen's mappings", mfn),
                    "slot 3 present", entryText(mfn, ptrs - 1, slot3));
        }
        int i = 0;
        try {
            for (; i < ptrs; i++) {
                long e = machine.read(mfn, i);
                if (EntryBits.isPresent(e)) {
                    getPageFromL3e(e, mfn, i);
                }
            }
            long kernelPmd = machine.entryMfn(slot3);
            if (frames.count(kernelPmd) != 1) {
                throw new XenViolation(XenRule.SHARED_PAE_KERNEL_PMD, machine.pfnForReport(kernelPmd),
                        String.format("PAE L3 3rd slot is shared: pmd mfn 0x%x in slot 3 of root mfn 0x%x has %d references",
                                kernelPmd, mfn, frames.count(kernelPmd)),
                        "type count 1", "type count " + frames.count(kernelPmd));
            }
        } catch (RuntimeException failure) {
            while (--i >= 0) {
                putPageFromL3e(machine.read(mfn, i));
            }
            throw failure;
        }
    }

    void freeL1Table(long mfn) {
        for (int i = 0; i < entries; i++) {
            putPageFromL1e(machine.read(mfn, i));
        }
    }

    void freeL2Table(long mfn, boolean paeXenL2) {
        for (int i = 0; i < entries; i++) {
            if (isGuestL2Slot(i, paeXenL2)) {
                putPageFromL2e(machine.read(mfn, i));
            }
        }
    }

    void freeL3Table(long mfn) {
        for (int i = 0; i < mode.ptrsPerPgd(); i++) {
            putPageFromL3e(machine.read(mfn, i));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // get_page_from_l*e / put_page_from_l*e
    // ---------------------------------------------------------------------------------------------

    /** {@code get_page_from_l1e}: a present entry; a writable one takes a writable type reference. */
    void getPageFromL1e(long e, long tableMfn, int index) {
        counters.entriesValidated.incrementAndGet();
        checkFlags(e, tableMfn, index, "L1");
        long target = checkOwned(e, tableMfn, index);
        if (!EntryBits.isWritable(e)) {
            return;
        }
        int word = frames.word(target);
        if (FrameTable.countOf(word) > 0 && FrameTable.typeOf(word).isPageTable()) {
            throw new XenViolation(XenRule.TYPED_FRAME_MAPPED_WRITABLE, machine.pfnForReport(target),
                    String.format("entry %d of L1 mfn 0x%x maps page-table frame mfn 0x%x writable", index, tableMfn, target),
                    "a frame that is not a page table", FrameTable.describe(word) + " via " + entryText(tableMfn, index, e));
        }
        types.getPageType(target, PageType.WRITABLE, false);
    }

    /** {@code put_page_from_l1e}: a writable present entry drops its writable type reference. */
    void putPageFromL1e(long e) {
        if (EntryBits.isPresent(e) && EntryBits.isWritable(e) && machine.owns(machine.entryMfn(e))) {
            types.putPageType(machine.entryMfn(e));
        }
    }

    /** {@code get_page_from_l2e}: a present entry takes an L1 type reference, validating the L1 if it is the first. */
    void getPageFromL2e(long e, long tableMfn, int index) {
        counters.entriesValidated.incrementAndGet();
        checkFlags(e, tableMfn, index, "L2");
        long target = checkOwned(e, tableMfn, index);
        requireTableType(target, PageType.L1, false, tableMfn, index, e);
        types.getPageType(target, PageType.L1, false);
    }

    /** {@code put_page_from_l2e}. */
    void putPageFromL2e(long e) {
        if (EntryBits.isPresent(e) && machine.owns(machine.entryMfn(e))) {
            types.putPageType(machine.entryMfn(e));
        }
    }

    /** {@code get_page_from_l3e}: only PRESENT and available bits; an L2 reference (pae-xen-l2 in slot 3). */
    void getPageFromL3e(long e, long tableMfn, int index) {
        counters.entriesValidated.incrementAndGet();
        long flags = e & ~mode.frameMask();
        if ((flags & ~L3_ALLOWED_FLAGS) != 0) {
            throw new XenViolation(XenRule.DISALLOWED_ENTRY_BITS, machine.pfnForReport(tableMfn),
                    String.format("entry %d of PAE root mfn 0x%x carries bits 0x%x beyond PRESENT and the available bits",
                            index, tableMfn, flags & ~L3_ALLOWED_FLAGS),
                    "PRESENT and bits 9-11 only", entryText(tableMfn, index, e));
        }
        long target = checkOwned(e, tableMfn, index);
        boolean paeXenL2 = index == mode.ptrsPerPgd() - 1;
        requireTableType(target, PageType.L2, paeXenL2, tableMfn, index, e);
        types.getPageType(target, PageType.L2, paeXenL2);
    }

    /** {@code put_page_from_l3e}. */
    void putPageFromL3e(long e) {
        if (EntryBits.isPresent(e) && machine.owns(machine.entryMfn(e))) {
            types.putPageType(machine.entryMfn(e));
        }
    }

    /**
     * The flag checks of L1 and L2 entries ({@code L1_DISALLOW_MASK}, {@code L2_DISALLOW_MASK}):
     * no PSE, no GLOBAL, nothing above the frame mask.
     */
    void checkFlags(long e, long tableMfn, int index, String level) {
        long bad = e & (EntryBits.PSE | EntryBits.GLOBAL | highBits);
        if (bad != 0) {
            throw new XenViolation(XenRule.DISALLOWED_ENTRY_BITS, machine.pfnForReport(tableMfn),
                    String.format("entry %d of %s mfn 0x%x carries disallowed bits 0x%x (%s)", index, level, tableMfn, bad,
                            describeBits(bad)),
                    "no PSE, no GLOBAL, no bit above the frame mask", entryText(tableMfn, index, e));
        }
    }

    private long checkOwned(long e, long tableMfn, int index) {
        long target = machine.entryMfn(e);
        if (!machine.owns(target)) {
            throw new XenViolation(XenRule.FRAME_NOT_OWNED, machine.pfnForReport(tableMfn),
                    String.format("entry %d of mfn 0x%x names mfn 0x%x, which the domain does not own", index, tableMfn, target),
                    "a machine frame below 0x" + Long.toHexString(machine.frames()), entryText(tableMfn, index, e));
        }
        return target;
    }

    /** The check {@code get_page_type} makes, done here to name the entry that links the frame. */
    private void requireTableType(long target, PageType type, boolean paeXenL2, long tableMfn, int index, long e) {
        int word = frames.word(target);
        if (FrameTable.countOf(word) == 0 || (FrameTable.typeOf(word) == type && FrameTable.paeXenL2Of(word) == paeXenL2)) {
            return;
        }
        String want = type.name() + (paeXenL2 ? " (pae-xen-l2)" : "");
        String why = FrameTable.typeOf(word) == PageType.WRITABLE ? "is mapped writable" : "is in use as another table";
        throw new XenViolation(XenRule.PAGE_TABLE_TYPE_CONFLICT, machine.pfnForReport(target),
                String.format("entry %d of mfn 0x%x links mfn 0x%x as %s, but the frame %s", index, tableMfn, target, want, why),
                "type count 0 or type " + want, FrameTable.describe(word) + " via " + entryText(tableMfn, index, e));
    }

    String entryText(long tableMfn, int index, long e) {
        return String.format("entry %d of mfn 0x%x (pfn 0x%x) = 0x%x", index, tableMfn, machine.pfnForReport(tableMfn), e);
    }

    private static String describeBits(long bits) {
        StringBuilder sb = new StringBuilder();
        if ((bits & EntryBits.PSE) != 0) {
            sb.append("PSE ");
        }
        if ((bits & EntryBits.GLOBAL) != 0) {
            sb.append("GLOBAL ");
        }
        if ((bits & ~(EntryBits.PSE | EntryBits.GLOBAL)) != 0) {
            sb.append("above the frame mask ");
        }
        return sb.toString().trim();
    }
}
