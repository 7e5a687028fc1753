package io.pvmm.backend.xen.mm;

import io.pvmm.api.EntryBits;
import io.pvmm.api.Finding;
import io.pvmm.backend.xen.XenRule;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>One instance serves every audit of a domain. The expected count and type of a frame live in
 * arrays indexed by mfn, allocated at the first audit and all zero between audits: each audit records
 * the frames it counts a reference to in a list, and resets those entries only, so no audit walks or
 * allocates anything sized to the domain's memory.
 *
 * <p>Not thread-safe: run under the domain lock, while the guest is quiescent (no lazy batch pending).
 */
final class TypeAudit {

    private static final PageType[] TYPES = PageType.values();

    private final MachineMemory machine;
    private final FrameTable frames;
    private final TableValidation tables;
    private final MmuExtOps ext;
    private List<Finding> findings;
    // what the live state says each frame's type_info must be, indexed by mfn; zero outside a run
    private int[] count;
    private byte[] want; // PageType ordinal << 1 | pae-xen-l2, meaningful where count > 0
    private int[] touched = new int[64]; // the mfns whose count this run made non-zero
    private int touchedSize;
    private final Map<Long, String> conflicts = new HashMap<>();

    TypeAudit(MachineMemory machine, FrameTable frames, TableValidation tables, MmuExtOps ext) {
        this.machine = machine;
        this.frames = frames;
        this.tables = tables;
        this.ext = ext;
    }

    List<Finding> run() {
        if (count == null) {
            int n = Math.toIntExact(machine.frames());
            count = new int[n];
            want = new byte[n];
        }
        findings = new ArrayList<>();
        try {
            frames.forEachReferenced(this::countReferencesHeldBy);
            for (int v = 0; v < ext.vcpus(); v++) {
                if (ext.baseHeld(v)) {
                    int vcpu = v;
                    expect(ext.base(v), ext.rootType(), false, () -> "the base of vCPU " + vcpu);
                }
            }
            compareAll();
            frames.forEachReferenced(this::checkNotFree);
            return findings;
        } finally {
            for (int i = 0; i < touchedSize; i++) {
                count[touched[i]] = 0;
                want[touched[i]] = 0;
            }
            touchedSize = 0;
            conflicts.clear();
            findings = null;
        }
    }

    /**
     * Compares, in frame order, every frame that the live state references or the frame table counts
     * references to: the frame table's referenced frames merged with the counted frames it holds no
     * reference to (none, in a consistent state).
     */
    private void compareAll() {
        int extras = 0;
        int[] unreferenced = new int[0];
        for (int i = 0; i < touchedSize; i++) {
            int mfn = touched[i];
            if (FrameTable.countOf(frames.word(mfn)) == 0) {
                if (extras == unreferenced.length) {
                    unreferenced = Arrays.copyOf(unreferenced, Math.max(8, extras * 2));
                }
                unreferenced[extras++] = mfn;
            }
        }
        Arrays.sort(unreferenced, 0, extras);
        int e = 0;
        for (int mfn = frames.nextReferenced(0); mfn >= 0; mfn = frames.nextReferenced(mfn + 1)) {
            while (e < extras && unreferenced[e] < mfn) {
                compare(unreferenced[e++]);
            }
            compare(mfn);
        }
        while (e < extras) {
            compare(unreferenced[e++]);
        }
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
        int code = t.ordinal() << 1 | (pae ? 1 : 0);
        if (count[f] == 0) {
            if (touchedSize == touched.length) {
                touched = Arrays.copyOf(touched, touchedSize * 2);
            }
            touched[touchedSize++] = f;
        } else if (want[f] != code && !conflicts.containsKey(mfn)) {
            conflicts.put(mfn, who.get() + " wants " + t + (pae ? " (pae-xen-l2)" : "") + " where others want " + typeOf(f));
        }
        want[f] = (byte) code;
        count[f]++;
    }

    private PageType typeOf(int mfn) {
        return TYPES[want[mfn] >> 1];
    }

    private boolean paeXenL2Of(int mfn) {
        return (want[mfn] & 1) != 0;
    }

    private void compare(int mfn) {
        int word = frames.word(mfn);
        int wanted = count[mfn];
        int have = FrameTable.countOf(word);
        String wantText = wanted == 0 ? "count 0" : typeOf(mfn) + (paeXenL2Of(mfn) ? " (pae-xen-l2)" : "") + " count " + wanted;
        String conflict = conflicts.isEmpty() ? null : conflicts.get((long) mfn);
        if (conflict != null) {
            findings.add(new Finding(XenRule.TYPE_COUNT_MISMATCH, machine.m2p(mfn), -1,
                    String.format("mfn 0x%x is referenced as two types: %s", mfn, conflict), wantText, FrameTable.describe(word)));
        } else if (have != wanted || (wanted > 0 && (FrameTable.typeOf(word) != typeOf(mfn) || FrameTable.paeXenL2Of(word) != paeXenL2Of(mfn)))) {
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
