package io.pvmm.backend.xen.mm;

import io.pvmm.api.EntryBits;
import io.pvmm.api.Finding;
import io.pvmm.backend.xen.XenRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The hypervisor's audit: recomputes every type count from scratch — the entries of validated
 * tables, the pins, the vCPU bases — and compares it with the frame table; checks that no validated
 * L1 maps a page table writable; and that no page table or pinned frame is in the guest's free pool.
 * Linear in the frames with type references and their entries; a holder is described only when it is
 * reported.
 *
 * <p>Not thread-safe: run under the domain lock, while the guest is quiescent (no lazy batch pending).
 */
final class TypeAudit {

    private final MachineMemory machine;
    private final FrameTable frames;
    private final TableValidation tables;
    private final MmuExtOps ext;
    private final List<Finding> findings = new ArrayList<>();
    // what the live state says each frame's type_info must be, indexed by mfn
    private final int[] count;
    private final PageType[] type;
    private final boolean[] paeXenL2;
    private final Map<Long, String> conflicts = new HashMap<>();

    TypeAudit(MachineMemory machine, FrameTable frames, TableValidation tables, MmuExtOps ext) {
        this.machine = machine;
        this.frames = frames;
        this.tables = tables;
        this.ext = ext;
        int n = Math.toIntExact(machine.frames());
        this.count = new int[n];
        this.type = new PageType[n];
        this.paeXenL2 = new boolean[n];
    }

    List<Finding> run() {
        frames.forEachReferenced(this::countReferencesHeldBy);
        for (int v = 0; v < ext.vcpus(); v++) {
            if (ext.baseHeld(v)) {
                int vcpu = v;
                expect(ext.base(v), ext.rootType(), false, () -> "the base of vCPU " + vcpu);
            }
        }
        for (int mfn = 0; mfn < count.length; mfn++) {
            if (count[mfn] > 0 || FrameTable.countOf(frames.word(mfn)) > 0) {
                compare(mfn);
            }
        }
        frames.forEachReferenced(this::checkNotFree);
        return findings;
    }

    private void countReferencesHeldBy(long mfn) {
        int word = frames.word(mfn);
        PageType tableType = FrameTable.typeOf(word);
        if (!tableType.isPageTable()) {
            return;
        }
        if (!FrameTable.validatedOf(word)) {
            findings.add(new Finding(XenRule.TYPE_COUNT_MISMATCH, machine.m2p(mfn), -1,
                    String.format("mfn 0x%x has type references but is not validated", mfn), "validated", FrameTable.describe(word)));
            return;
        }
        if ((word & FrameTable.PGT_PINNED) != 0) {
            expect(mfn, tableType, FrameTable.paeXenL2Of(word), () -> "its pin");
        }
        int n = tableType == PageType.L3 ? machine.mode().ptrsPerPgd() : machine.entriesPerFrame();
        for (int i = 0; i < n; i++) {
            long e = machine.read(mfn, i);
            if (!EntryBits.isPresent(e) || !machine.owns(machine.entryMfn(e))) {
                continue;
            }
            long target = machine.entryMfn(e);
            int index = i;
            Supplier<String> who = () -> String.format("entry %d of %s mfn 0x%x", index, tableType, mfn);
            switch (tableType) {
                case L1 -> {
                    if (EntryBits.isWritable(e)) {
                        expect(target, PageType.WRITABLE, false, who);
                        int t = frames.word(target);
                        if (FrameTable.countOf(t) > 0 && FrameTable.typeOf(t).isPageTable()) {
                            findings.add(new Finding(XenRule.PAGE_TABLE_MAPPED_WRITABLE, machine.m2p(target), -1,
                                    String.format("page-table frame mfn 0x%x is mapped writable by %s", target, who.get()),
                                    "a read-only mapping", FrameTable.describe(t)));
                        }
                    }
                }
                case L2 -> {
                    if (tables.isGuestL2Slot(i, FrameTable.paeXenL2Of(word))) {
                        expect(target, PageType.L1, false, who);
                    }
                }
                default -> expect(target, PageType.L2, i == n - 1, who);
            }
        }
    }

    /** Counts one reference; describes the holder only when two references want different types. */
    private void expect(long mfn, PageType t, boolean pae, Supplier<String> who) {
        int f = (int) mfn;
        if (count[f] > 0 && (type[f] != t || paeXenL2[f] != pae) && !conflicts.containsKey(mfn)) {
            conflicts.put(mfn, who.get() + " wants " + t + (pae ? " (pae-xen-l2)" : "") + " where others want " + type[f]);
        }
        type[f] = t;
        paeXenL2[f] = pae;
        count[f]++;
    }

    private void compare(int mfn) {
        int word = frames.word(mfn);
        int want = count[mfn];
        int have = FrameTable.countOf(word);
        String wantText = want == 0 ? "count 0" : type[mfn] + (paeXenL2[mfn] ? " (pae-xen-l2)" : "") + " count " + want;
        String conflict = conflicts.get((long) mfn);
        if (conflict != null) {
            findings.add(new Finding(XenRule.TYPE_COUNT_MISMATCH, machine.m2p(mfn), -1,
                    String.format("mfn 0x%x is referenced as two types: %s", mfn, conflict), wantText, FrameTable.describe(word)));
        } else if (have != want || (want > 0 && (FrameTable.typeOf(word) != type[mfn] || FrameTable.paeXenL2Of(word) != paeXenL2[mfn]))) {
            findings.add(new Finding(XenRule.TYPE_COUNT_MISMATCH, machine.m2p(mfn), -1,
                    String.format("mfn 0x%x: type_info does not match the references the live state holds", mfn),
                    wantText, FrameTable.describe(word)));
        }
    }

    private void checkNotFree(long mfn) {
        int word = frames.word(mfn);
        boolean protectedFrame = FrameTable.typeOf(word).isPageTable() || (word & FrameTable.PGT_PINNED) != 0;
        if (protectedFrame && machine.guest().isFree(machine.m2p(mfn))) {
            findings.add(new Finding(XenRule.PAGE_TABLE_IN_FREE_POOL, machine.m2p(mfn), -1,
                    String.format("mfn 0x%x is a page table with references, yet in the guest's free pool", mfn),
                    "not free", FrameTable.describe(word)));
        }
    }
}
