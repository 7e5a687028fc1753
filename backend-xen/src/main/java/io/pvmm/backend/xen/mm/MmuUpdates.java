package io.pvmm.backend.xen.mm;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.backend.xen.XenRule;

/**
 * Checked updates of single entries ({@code xen/arch/x86/mm.c}, Xen 3.1; research notes §4.6, §4.7):
 * {@code do_mmu_update}'s {@code MMU_NORMAL_PT_UPDATE}, {@code mod_l1_entry}, {@code mod_l2_entry},
 * {@code mod_l3_entry}, {@code do_update_va_mapping}, and the writable-page-table assist that emulates
 * a trapped write to a typed L1 ({@code ptwr_do_page_fault}).
 *
 * <p>An entry update validates the new entry and moves references: the new entry's reference is
 * taken first, then the entry is written, then the old entry's reference is dropped. A change that
 * keeps the frame and the RW and PRESENT bits (L1), or the frame and PRESENT (L2, L3), takes the fast
 * path: only the write. A refused update changes nothing.
 *
 * <p><b>Threading:</b> not thread-safe; the {@link Hypervisor}'s domain lock guards it.
 */
final class MmuUpdates {

    private final MachineMemory machine;
    private final FrameTable frames;
    private final TypeReferences types;
    private final TableValidation tables;
    private final XenCounters counters;
    private final PagingMode mode;
    private final long frameMask;

    MmuUpdates(MachineMemory machine, FrameTable frames, TypeReferences types, TableValidation tables, XenCounters counters) {
        this.machine = machine;
        this.frames = frames;
        this.types = types;
        this.tables = tables;
        this.counters = counters;
        this.mode = machine.mode();
        this.frameMask = mode.frameMask();
    }

    /**
     * One {@code MMU_NORMAL_PT_UPDATE} request of {@code do_mmu_update}: {@code *ptr = val}, checked.
     * On a frame whose type is a page table, the frame takes a reference of that type (re-validating
     * the table if its count was 0) and the entry is updated with the checks of its level; if that
     * reference cannot be had, or the frame is not a page table, it takes a transient writable
     * reference and the value is stored as given ({@code not_a_pt}).
     *
     * @param ptr machine address of the entry
     * @param val the new entry
     * @throws XenViolation if the update is refused
     */
    void doMmuUpdate(long ptr, long val) {
        counters.mmuUpdateEntries.incrementAndGet();
        long mfn = ptr >>> PagingMode.PAGE_SHIFT;
        int index = (int) ((ptr & (PagingMode.PAGE_SIZE - 1)) / mode.entryBytes());
        if (!machine.owns(mfn)) {
            throw new XenViolation(XenRule.FRAME_NOT_OWNED, mfn,
                    String.format("mmu_update of machine address 0x%x, in a frame the domain does not own", ptr),
                    "a machine frame below 0x" + Long.toHexString(machine.frames()), "mfn 0x" + Long.toHexString(mfn));
        }
        PageType type = frames.type(mfn);
        if (type.isPageTable()) {
            boolean paeXenL2 = frames.paeXenL2(mfn);
            boolean typed;
            try {
                types.getPageType(mfn, type, paeXenL2);
                typed = true;
            } catch (XenViolation revalidationFailed) {
                typed = false; // goto not_a_pt
            }
            if (typed) {
                try {
                    switch (type) {
                        case L1 -> modL1Entry(mfn, index, val);
                        case L2 -> modL2Entry(mfn, index, val, paeXenL2);
                        default -> modL3Entry(mfn, index, val);
                    }
                } finally {
                    types.putPageType(mfn);
                }
                return;
            }
        }
        // not_a_pt: a plain, checked-for-nothing store under a transient writable reference
        types.getPageType(mfn, PageType.WRITABLE, false);
        machine.write(mfn, index, val);
        types.putPageType(mfn);
    }

    /**
     * {@code mod_l1_entry}.
     *
     * @param l1mfn the L1, typed and validated
     * @param index the entry
     * @param nl1e  the new entry
     * @throws XenViolation if the new entry is refused
     */
    void modL1Entry(long l1mfn, int index, long nl1e) {
        long ol1e = machine.read(l1mfn, index);
        if (EntryBits.isPresent(nl1e)) {
            tables.checkFlags(nl1e, l1mfn, index, "L1");
            /* Fast path for identical mapping, r/w and presence. */
            if (!changed(ol1e, nl1e, EntryBits.RW | EntryBits.PRESENT)) {
                counters.entriesValidated.incrementAndGet();
                machine.write(l1mfn, index, nl1e);
                return;
            }
            tables.getPageFromL1e(nl1e, l1mfn, index);
        }
        machine.write(l1mfn, index, nl1e);
        tables.putPageFromL1e(ol1e);
    }

    /**
     * {@code mod_l2_entry}: refuses Xen's private slots.
     *
     * @param l2mfn    the L2, typed and validated
     * @param index    the entry
     * @param nl2e     the new entry
     * @param paeXenL2 whether the L2 is a PAE root's slot-3 pmd
     * @throws XenViolation if the update is refused
     */
    void modL2Entry(long l2mfn, int index, long nl2e, boolean paeXenL2) {
        if (!tables.isGuestL2Slot(index, paeXenL2)) {
            throw new XenViolation(XenRule.XEN_PRIVATE_SLOT_UPDATE, machine.pfnForReport(l2mfn),
                    String.format("Illegal L2 update attempt in Xen-private area: entry %d of L2 mfn 0x%x", index, l2mfn),
                    "a slot below " + XenLayout.firstXenL2Slot(mode), tables.entryText(l2mfn, index, nl2e));
        }
        long ol2e = machine.read(l2mfn, index);
        if (EntryBits.isPresent(nl2e)) {
            tables.checkFlags(nl2e, l2mfn, index, "L2");
            if (!changed(ol2e, nl2e, EntryBits.PRESENT)) {
                counters.entriesValidated.incrementAndGet();
                machine.write(l2mfn, index, nl2e);
                return;
            }
            tables.getPageFromL2e(nl2e, l2mfn, index);
        }
        machine.write(l2mfn, index, nl2e);
        tables.putPageFromL2e(ol2e);
    }

    /**
     * {@code mod_l3_entry} (PAE): refuses slot 3, which holds Xen's mappings ("Disallow updates to
     * final L3 slot").
     *
     * @param l3mfn the root, typed and validated
     * @param index the entry
     * @param nl3e  the new entry
     * @throws XenViolation if the update is refused
     */
    void modL3Entry(long l3mfn, int index, long nl3e) {
        if (index >= mode.ptrsPerPgd() - 1) {
            throw new XenViolation(XenRule.XEN_PRIVATE_SLOT_UPDATE, machine.pfnForReport(l3mfn),
                    String.format("update of slot %d of PAE root mfn 0x%x, which holds Xen's mappings", index, l3mfn),
                    "slots 0-2", tables.entryText(l3mfn, index, nl3e));
        }
        long ol3e = machine.read(l3mfn, index);
        if (EntryBits.isPresent(nl3e)) {
            if (!changed(ol3e, nl3e, EntryBits.PRESENT) && (nl3e & ~frameMask & ~0xE01L) == 0) {
                counters.entriesValidated.incrementAndGet();
                machine.write(l3mfn, index, nl3e);
                return;
            }
            tables.getPageFromL3e(nl3e, l3mfn, index);
        }
        machine.write(l3mfn, index, nl3e);
        tables.putPageFromL3e(ol3e);
    }

    /**
     * {@code do_update_va_mapping(va, val, flags)}: {@code mod_l1_entry} on the L1 entry that maps
     * {@code va} in the address space rooted at {@code baseMfn}.
     *
     * @param baseMfn  the vCPU's current base
     * @param va       the virtual address
     * @param val      the new entry
     * @param building whether the domain has not loaded a validated base yet: its tables are unvalidated
     *                 and the update is stored as given, as the domain builder does
     * @throws XenViolation if no validated L1 maps the address, or the entry is refused
     */
    void doUpdateVaMapping(long baseMfn, long va, long val, boolean building) {
        counters.updateVaMapping.incrementAndGet();
        long l1e = guestMapL1e(baseMfn, va);
        if (l1e < 0) {
            throw unmapped(baseMfn, va);
        }
        long l1mfn = l1e >>> PagingMode.PAGE_SHIFT;
        int index = (int) ((l1e & (PagingMode.PAGE_SIZE - 1)) / mode.entryBytes());
        boolean validL1 = frames.type(l1mfn) == PageType.L1 && frames.count(l1mfn) > 0;
        if (!validL1) {
            if (building) {
                machine.write(l1mfn, index, val);
                return;
            }
            throw new XenViolation(XenRule.UPDATE_VA_MAPPING_UNMAPPED, machine.pfnForReport(l1mfn),
                    String.format("update_va_mapping of 0x%08x: mfn 0x%x is not a validated L1", va, l1mfn),
                    "a validated L1", FrameTable.describe(frames.word(l1mfn)));
        }
        modL1Entry(l1mfn, index, val);
    }

    /**
     * The refusal of an {@code update_va_mapping} whose address no L1 maps under the base.
     *
     * @param baseMfn the calling vCPU's base
     * @param va      the address
     * @return the violation, {@code update-va-mapping-unmapped}
     */
    XenViolation unmapped(long baseMfn, long va) {
        return new XenViolation(XenRule.UPDATE_VA_MAPPING_UNMAPPED, machine.pfnForReport(baseMfn),
                String.format("update_va_mapping of 0x%08x: no L1 maps it under base mfn 0x%x", va, baseMfn),
                "an L1 entry for the address", "none");
    }

    /**
     * {@code guest_map_l1e}: the machine address of the L1 entry that maps {@code va} under a root.
     *
     * @param baseMfn the root
     * @param va      the virtual address
     * @return the entry's machine address, or -1 if a level on the way is not present or maps a large page
     */
    long guestMapL1e(long baseMfn, long va) {
        long l2mfn = baseMfn;
        if (mode == PagingMode.PAE) {
            long l3e = machine.read(baseMfn, mode.pgdIndex(va));
            if (!EntryBits.isPresent(l3e) || !machine.owns(machine.entryMfn(l3e))) {
                return -1;
            }
            l2mfn = machine.entryMfn(l3e);
        }
        int l2index = mode == PagingMode.PAE ? mode.pmdIndex(va) : mode.pgdIndex(va);
        long l2e = machine.read(l2mfn, l2index);
        if (!EntryBits.isPresent(l2e) || EntryBits.isLarge(l2e) || !machine.owns(machine.entryMfn(l2e))) {
            return -1;
        }
        return (machine.entryMfn(l2e) << PagingMode.PAGE_SHIFT) + (long) mode.pteIndex(va) * mode.entryBytes();
    }

    /**
     * The writable-page-table assist: emulates a trapped write to an L1 that is typed with references,
     * with the checks of {@code mod_l1_entry}.
     *
     * @param l1mfn the frame written
     * @param index the entry
     * @param val   the value the guest stored
     * @throws XenViolation if the frame is not a typed L1 (the fault goes to the guest) or the entry is refused
     */
    void ptwrEmulate(long l1mfn, int index, long val) {
        if (frames.type(l1mfn) != PageType.L1 || frames.count(l1mfn) == 0) {
            throw new XenViolation(XenRule.DIRECT_WRITE_TO_READ_ONLY_FRAME, machine.pfnForReport(l1mfn),
                    String.format("write fault on entry %d of read-only mfn 0x%x, which is not a typed L1", index, l1mfn),
                    "an L1 with type count > 0 (the only frames Xen emulates writes to)",
                    FrameTable.describe(frames.word(l1mfn)));
        }
        counters.emulatedWrites.incrementAndGet();
        modL1Entry(l1mfn, index, val);
    }

    private boolean changed(long o, long n, long flags) {
        return ((o ^ n) & (frameMask | flags)) != 0;
    }
}
