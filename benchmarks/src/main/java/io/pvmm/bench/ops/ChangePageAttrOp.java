package io.pvmm.bench.ops;

import io.pvmm.api.PagingMode;
import io.pvmm.bench.guest.BenchGuest;
import io.pvmm.guest.arch.PageAttr;

/**
 * {@code change_page_attr} as a driver uses it: one lowmem page made uncached, then restored, then
 * {@code global_flush_tlb}. Where the direct map uses large pages (PSE), the first call splits the
 * large page ({@code alloc_pt}, a table of {@code set_pte}s, {@code set_pmd_pte} over
 * {@code pgd_list}) and the second reverts it ({@code release_pt}, {@code set_pmd_pte}); without PSE
 * (Xen) each call is one {@code set_pte_atomic}.
 */
public final class ChangePageAttrOp {

    private final PageAttr pageAttr;
    private final long pfn;

    /**
     * Picks the page: the middle of lowmem, away from the kernel image.
     *
     * @param guest the guest
     */
    public ChangePageAttrOp(BenchGuest guest) {
        this.pageAttr = guest.kernel().pageAttr();
        long largePages = guest.kernel().layout().maxLowPfn() / (guest.kernel().mode().pmdSize() >>> PagingMode.PAGE_SHIFT);
        this.pfn = (largePages / 2) * (guest.kernel().mode().pmdSize() >>> PagingMode.PAGE_SHIFT) + 5;
    }

    /** Changes the page to uncached and back, then flushes. */
    public void run() {
        check(pageAttr.changePageAttr(pfn, 1, PageAttr.Attr.NOCACHE));
        check(pageAttr.changePageAttr(pfn, 1, PageAttr.Attr.KERNEL));
        pageAttr.globalFlushTlb();
    }

    private void check(int err) {
        if (err != 0) {
            throw new IllegalStateException("change_page_attr of frame 0x" + Long.toHexString(pfn) + " failed: " + err);
        }
    }
}
