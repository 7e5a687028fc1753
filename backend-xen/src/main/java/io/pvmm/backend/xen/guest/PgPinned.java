package io.pvmm.backend.xen.guest;

import java.util.BitSet;

/**
 * The port's {@code PG_pinned} page flag ({@code arch/i386/xen/mmu.c}, 2.6.23): which guest frames it
 * knows to be part of a pinned tree. The port decides from this flag alone — never from the
 * hypervisor's frame state, which a guest cannot read — how a pte store reaches Xen: a frame of a
 * pinned tree is written with a plain store, which traps and which Xen emulates if the frame is an
 * L1; an announced table outside every pinned tree gets an {@code mmu_update}.
 *
 * <ul>
 *   <li>{@code xen_pgd_pin}'s {@code pin_page} sets it on every frame of the tree it walks, and
 *       {@code xen_pgd_unpin}'s {@code unpin_page} clears it;</li>
 *   <li>{@code xen_mark_init_mm_pinned} sets it on every kernel table at the end of boot;</li>
 *   <li>{@code xen_alloc_pt}: a table "is pinned iff its being attached to a pinned pagetable" — the
 *       SPI's {@code allocPt} names no mm, so the port sets the flag when it links the table into a
 *       pinned one ({@code set_pmd}, PAE {@code set_pud});</li>
 *   <li>a release clears it: the frame goes back to the page allocator.</li>
 * </ul>
 *
 * <p><b>Threading:</b> callers hold the domain lock.
 */
final class PgPinned {

    private final BitSet pinned = new BitSet();

    /** {@code PagePinned(page)}. */
    boolean test(long pfn) {
        return pfn >= 0 && pfn <= Integer.MAX_VALUE && pinned.get((int) pfn);
    }

    /** {@code SetPagePinned(page)}. */
    void set(long pfn) {
        pinned.set(index(pfn));
    }

    /** {@code ClearPagePinned(page)}. */
    void clear(long pfn) {
        if (pfn >= 0 && pfn <= Integer.MAX_VALUE) {
            pinned.clear((int) pfn);
        }
    }

    private static int index(long pfn) {
        if (pfn < 0 || pfn > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("frame out of range: " + pfn);
        }
        return (int) pfn;
    }
}
