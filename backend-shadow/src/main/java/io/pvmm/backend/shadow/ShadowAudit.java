package io.pvmm.backend.shadow;

import io.pvmm.api.EntryBits;
import io.pvmm.api.Finding;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import io.pvmm.api.WriteProtection;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the shadow pager against the guest's memory, in time linear in the shadowed tables' entries
 * (plus sorting the live shadows, so findings come in a fixed order), as Xen's {@code sh_audit_*}
 * functions and KVM's {@code kvm_mmu_audit} do:
 * <ol>
 *   <li>{@code shadow-mismatch}: every shadow entry is unsynced (zero) or equals the guest's entry
 *       translated through the p2m — for an out-of-sync pte page, the entry of its snapshot (at most
 *       {@value #MISMATCHES_PER_TABLE} findings per table, then one that counts the rest);</li>
 *   <li>{@code table-not-protected}: no frame the guest uses as a table is left unprotected while it is
 *       shadowed, unless it is an out-of-sync pte page;</li>
 *   <li>{@code link-without-shadow}: every present non-leaf shadow entry links a live shadow of the
 *       table it names.</li>
 * </ol>
 *
 * <p><b>Threading:</b> run only at quiescent points.
 */
final class ShadowAudit {

    /** Entry findings reported per table before the rest are only counted. */
    static final int MISMATCHES_PER_TABLE = 16;

    private final PagingMode mode;
    private final GuestMemory memory;
    private final P2m p2m;
    private final WriteProtection wp;
    private final ShadowPager pager;

    ShadowAudit(PagingMode mode, GuestMemory memory, P2m p2m, WriteProtection wp, ShadowPager pager) {
        this.mode = mode;
        this.memory = memory;
        this.p2m = p2m;
        this.wp = wp;
        this.pager = pager;
    }

    /** @return the findings; empty when every shadow is right */
    List<Finding> run() {
        List<Finding> out = new ArrayList<>();
        for (Shadow s : pager.liveShadows()) {
            if (!s.isOutOfSync() && !wp.isProtected(s.pfn())) {
                out.add(new Finding(ShadowRule.TABLE_NOT_PROTECTED, s.pfn(), -1,
                        "the guest's " + describe(s) + " is shadowed but stores into it do not trap",
                        "write-protected", "writable"));
            }
            compare(s, out);
            if (s.level() != Shadow.Level.L1) {
                checkLinks(s, out);
            }
        }
        return out;
    }

    private void compare(Shadow s, List<Finding> out) {
        long[] snap = s.snapshot();
        int differing = 0;
        for (int i = 0; i < s.size(); i++) {
            long found = s.get(i);
            if (found == 0) {
                continue; // unsynced: the hardware faults and the monitor syncs it
            }
            long guest = snap != null ? snap[i] : memory.readEntry(s.rootPa() + (long) i * mode.entryBytes());
            long expected = p2m.translate(guest);
            if (expected != found && ++differing <= MISMATCHES_PER_TABLE) {
                out.add(new Finding(ShadowRule.SHADOW_MISMATCH, s.pfn(), i,
                        "the shadow of the guest's " + describe(s) + " differs from its entry " + hex(guest)
                                + (snap != null ? " (as snapshotted when it went out of sync)" : "") + ", translated",
                        hex(expected), hex(found)));
            }
        }
        if (differing > MISMATCHES_PER_TABLE) {
            out.add(new Finding(ShadowRule.SHADOW_MISMATCH, s.pfn(), -1,
                    (differing - MISMATCHES_PER_TABLE) + " more shadow entries of this table differ",
                    "0 entries differing", differing + " entries differing"));
        }
    }

    private void checkLinks(Shadow s, List<Finding> out) {
        for (int i = 0; i < s.size(); i++) {
            long e = s.get(i);
            if (!EntryBits.isPresent(e) || (s.level() == Shadow.Level.L2 && EntryBits.isLarge(e))) {
                continue;
            }
            long guest = memory.readEntry(s.rootPa() + (long) i * mode.entryBytes());
            long target = mode.entryPfn(guest);
            if (target >= memory.frames()) {
                continue;
            }
            Shadow child = s.child(i);
            if (child == null || pager.tableOf(target) != child) {
                out.add(new Finding(ShadowRule.LINK_WITHOUT_SHADOW, s.pfn(), i,
                        "a shadow entry of the guest's " + describe(s) + " links frame 0x" + Long.toHexString(target)
                                + ", which has no shadow", "a live shadow of 0x" + Long.toHexString(target), "none"));
            }
        }
    }

    private static String describe(Shadow s) {
        return switch (s.level()) {
            case L1 -> "pte page";
            case L2 -> "page directory";
            case PDPT -> "PAE root at 0x" + Long.toHexString(s.rootPa());
        };
    }

    private String hex(long v) {
        return mode == PagingMode.PAE ? String.format("0x%016x", v) : String.format("0x%08x", v);
    }
}
