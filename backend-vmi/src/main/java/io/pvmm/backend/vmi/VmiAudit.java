package io.pvmm.backend.vmi;

import io.pvmm.api.EntryBits;
import io.pvmm.api.Finding;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the shadow pager against the guest's memory, in time linear in the typed frames' entries
 * plus n log n in the typed frames: the live shadows are sorted by frame number on every audit, so
 * that findings always come in the same order:
 * <ol>
 *   <li>{@code shadow-mismatch}: every shadow equals the translation of its guest table, entry by
 *       entry (at most {@value #MISMATCHES_PER_FRAME} findings per frame, then one that counts the
 *       rest) — except a cloned root's kernel entry the guest has not yet synced, which may equal the
 *       clone source's (see {@link #aheadOfGuest});</li>
 *   <li>{@code link-to-untyped-frame}: every present non-leaf entry of a typed page directory (an L2
 *       entry without PSE) points to a frame typed L1;</li>
 *   <li>{@code typed-frame-in-free-pool}: no typed frame is in the guest's free pool;</li>
 *   <li>{@code stale-kernel-entry}: every root built by {@code allocPdClone} holds, in its cloned
 *       range, only entries that are absent or equal to its clone source's shadow entry (a vmalloc
 *       entry not yet synced is absent, never different);</li>
 *   <li>{@code release-of-linked-table}: no pte page released while live shadow page directories
 *       linked it is linked still (the links must be gone by a quiescent point).</li>
 * </ol>
 *
 * <p><b>Threading:</b> run only at quiescent points: no vCPU inside a hook, no lazy batch pending.
 */
final class VmiAudit {

    /** Entry findings reported per frame before the rest are only counted. */
    static final int MISMATCHES_PER_FRAME = 16;

    private final PagingMode mode;
    private final GuestMemory memory;
    private final P2m p2m;
    private final ShadowPager pager;

    /**
     * Creates the audit.
     *
     * @param mode   the paging mode
     * @param memory the guest's memory
     * @param p2m    the pfn-to-mfn map
     * @param pager  the shadows and page types
     */
    VmiAudit(PagingMode mode, GuestMemory memory, P2m p2m, ShadowPager pager) {
        this.mode = mode;
        this.memory = memory;
        this.p2m = p2m;
        this.pager = pager;
    }

    /** @return the findings, by frame; empty when every shadow is right */
    List<Finding> run() {
        List<Finding> out = new ArrayList<>();
        for (Shadow s : pager.liveShadows()) {
            compare(s, out);
            if ((s.type() & PageTypeChecker.L2) != 0) {
                checkLinks(s, out);
            }
            if (memory.isFree(s.pfn())) {
                out.add(new Finding(VmiRule.TYPED_FRAME_IN_FREE_POOL, s.pfn(), -1,
                        "a " + PageTypeChecker.describe(s.type()) + " frame is in the guest's free pool (never released)",
                        "released before it was freed", "typed " + PageTypeChecker.describe(s.type()) + " and free"));
            }
            if (s.isClone()) {
                checkClone(s, out);
            }
        }
        for (long pfn : pager.releasedButLinked()) {
            out.add(new Finding(VmiRule.RELEASE_OF_LINKED_TABLE, pfn, -1,
                    "a pte page was released while live page directories linked it, and they link it still",
                    "no shadow entry linking a released frame", pager.linksTo(pfn) + " shadow entries linking it"));
        }
        return out;
    }

    private void compare(Shadow s, List<Finding> out) {
        Shadow source = s.isClone() ? pager.shadowOf(s.cloneSource()) : null;
        int differing = 0;
        for (int i = 0; i < s.size(); i++) {
            long guest = memory.readEntry(s.pfn(), i);
            long expected = p2m.translate(guest);
            long found = s.get(i);
            if (expected != found && !aheadOfGuest(s, source, i, guest, found) && ++differing <= MISMATCHES_PER_FRAME) {
                out.add(new Finding(VmiRule.SHADOW_MISMATCH, s.pfn(), i,
                        "the shadow of this " + PageTypeChecker.describe(s.type()) + " differs from the guest's entry "
                                + hex(guest) + ", translated", hex(expected), hex(found)));
            }
        }
        if (differing > MISMATCHES_PER_FRAME) {
            out.add(new Finding(VmiRule.SHADOW_MISMATCH, s.pfn(), -1,
                    (differing - MISMATCHES_PER_FRAME) + " more shadow entries of this frame differ",
                    "0 entries differing", differing + " entries differing"));
        }
    }

    /**
     * A cloned root's kernel entry that its clone source's shadow gained while the guest was copying:
     * {@code pmd_populate_kernel} for a vmalloc area holds {@code init_mm.page_table_lock}, not
     * {@code pgd_lock}, so the guest's copy may lack a kernel pmd that the source's shadow (copied at
     * {@code allocPdClone}) already has. The guest gets it later through a vmalloc fault or
     * {@code vmalloc_sync_all}; until then the shadow is ahead of the guest, by exactly the source's
     * entry, which is harmless.
     */
    private static boolean aheadOfGuest(Shadow s, Shadow source, int i, long guest, long found) {
        return source != null && guest == 0 && i >= s.cloneStart() && i < s.cloneStart() + s.cloneCount()
                && EntryBits.isPresent(found) && found == source.get(i);
    }

    private void checkLinks(Shadow s, List<Finding> out) {
        for (int i = 0; i < s.size(); i++) {
            long e = memory.readEntry(s.pfn(), i);
            if (!EntryBits.isPresent(e) || EntryBits.isLarge(e)) {
                continue;
            }
            long target = mode.entryPfn(e);
            int type = pager.typeOf(target);
            if ((type & PageTypeChecker.L1) == 0) {
                out.add(new Finding(VmiRule.LINK_TO_UNTYPED_FRAME, s.pfn(), i,
                        "a page-directory entry links frame 0x" + Long.toHexString(target) + ", which was never announced as a pte page",
                        "frame 0x" + Long.toHexString(target) + " typed L1", "type " + PageTypeChecker.describe(type)));
            }
        }
    }

    private void checkClone(Shadow s, List<Finding> out) {
        Shadow source = pager.shadowOf(s.cloneSource());
        if (source == null || (source.type() & PageTypeChecker.L2) == 0) {
            return; // the source is gone: nothing to compare with
        }
        for (int i = s.cloneStart(); i < s.cloneStart() + s.cloneCount(); i++) {
            long mine = s.get(i);
            long theirs = source.get(i);
            if (EntryBits.isPresent(mine) && mine != theirs) {
                out.add(new Finding(VmiRule.STALE_KERNEL_ENTRY, s.pfn(), i,
                        "a cloned root's kernel entry differs from its clone source 0x" + Long.toHexString(source.pfn()),
                        hex(theirs), hex(mine)));
            }
        }
    }

    private String hex(long v) {
        return mode == PagingMode.PAE ? String.format("0x%016x", v) : String.format("0x%08x", v);
    }
}
