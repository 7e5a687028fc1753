package io.pvmm.backend.xen.mm;

import io.pvmm.api.EntryBits;
import io.pvmm.api.Finding;
import io.pvmm.backend.xen.XenRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The hypervisor's audit: recomputes every type count from scratch — the entries of validated
 * tables, the pins, the vCPU bases — and compares it with the frame table; checks that no validated
 * L1 maps a page table writable; and that no page table or pinned frame is in the guest's free pool.
 * Linear in the frames with type references and their entries.
 *
 * <p>Not thread-safe: run under the domain lock, while the guest is quiescent (no lazy batch pending).
 */
final class TypeAudit {

    /** What the live state says a frame's type_info must be. */
    private static final class Expected {
        PageType type;
        boolean paeXenL2;
        int count;
        String conflict;

        void add(PageType t, boolean pae, String who) {
            if (count > 0 && (type != t || paeXenL2 != pae) && conflict == null) {
                conflict = who + " wants " + t + (pae ? " (pae-xen-l2)" : "") + " where others want " + type;
            }
            type = t;
            paeXenL2 = pae;
            count++;
        }
    }

    private final MachineMemory machine;
    private final FrameTable frames;
    private final TableValidation tables;
    private final MmuExtOps ext;
    private final Map<Long, Expected> expected = new HashMap<>();
    private final List<Finding> findings = new ArrayList<>();

    TypeAudit(MachineMemory machine, FrameTable frames, TableValidation tables, MmuExtOps ext) {
        this.machine = machine;
        this.frames = frames;
        this.tables = tables;
        this.ext = ext;
    }

    List<Finding> run() {
        frames.forEachReferenced(this::countReferencesHeldBy);
        for (int v = 0; v < ext.vcpus(); v++) {
            if (ext.baseHeld(v)) {
                expect(ext.base(v), ext.rootType(), false, "the base of vCPU " + v);
            }
        }
        TreeSet<Long> all = new TreeSet<>(expected.keySet());
        frames.forEachReferenced(all::add);
        for (long mfn : all) {
            compare(mfn);
        }
        frames.forEachReferenced(this::checkNotFree);
        return findings;
    }

    private void countReferencesHeldBy(long mfn) {
        int word = frames.word(mfn);
        PageType type = FrameTable.typeOf(word);
        if (!type.isPageTable()) {
            return;
        }
        if (!FrameTable.validatedOf(word)) {
            findings.add(new Finding(XenRule.TYPE_COUNT_MISMATCH, machine.m2p(mfn), -1,
                    String.format("mfn 0x%x has type references but is not validated", mfn), "validated", FrameTable.describe(word)));
            return;
        }
        if ((word & FrameTable.PGT_PINNED) != 0) {
            expect(mfn, type, FrameTable.paeXenL2Of(word), "its pin");
        }
        int n = type == PageType.L3 ? machine.mode().ptrsPerPgd() : machine.entriesPerFrame();
        for (int i = 0; i < n; i++) {
            long e = machine.read(mfn, i);
            if (!EntryBits.isPresent(e) || !machine.owns(machine.entryMfn(e))) {
                continue;
            }
            long target = machine.entryMfn(e);
            String who = String.format("entry %d of %s mfn 0x%x", i, type, mfn);
            switch (type) {
                case L1 -> {
                    if (EntryBits.isWritable(e)) {
                        expect(target, PageType.WRITABLE, false, who);
                        int t = frames.word(target);
                        if (FrameTable.countOf(t) > 0 && FrameTable.typeOf(t).isPageTable()) {
                            findings.add(new Finding(XenRule.PAGE_TABLE_MAPPED_WRITABLE, machine.m2p(target), -1,
                                    String.format("page-table frame mfn 0x%x is mapped writable by %s", target, who),
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

    private void expect(long mfn, PageType type, boolean paeXenL2, String who) {
        expected.computeIfAbsent(mfn, k -> new Expected()).add(type, paeXenL2, who);
    }

    private void compare(long mfn) {
        int word = frames.word(mfn);
        Expected e = expected.get(mfn);
        int want = e == null ? 0 : e.count;
        int have = FrameTable.countOf(word);
        String wantText = e == null ? "count 0" : e.type + (e.paeXenL2 ? " (pae-xen-l2)" : "") + " count " + want;
        if (e != null && e.conflict != null) {
            findings.add(new Finding(XenRule.TYPE_COUNT_MISMATCH, machine.m2p(mfn), -1,
                    String.format("mfn 0x%x is referenced as two types: %s", mfn, e.conflict), wantText, FrameTable.describe(word)));
        } else if (have != want || (want > 0 && (FrameTable.typeOf(word) != e.type || FrameTable.paeXenL2Of(word) != e.paeXenL2))) {
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
