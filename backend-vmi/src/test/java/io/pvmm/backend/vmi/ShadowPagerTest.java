package io.pvmm.backend.vmi;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What each hook does to the types and shadows, in both paging modes. */
class ShadowPagerTest {

    private static final long PT = 0x100;
    private static final long DATA = TestGuest.DATA;
    private static final long ROOT = 0x200;

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("allocPt builds the shadow from the frame's contents, not from the zeroed hint")
    void allocPtShadowsCurrentContents(PagingMode mode) {
        TestGuest guest = new TestGuest(mode);
        VmiOps ops = guest.ops();
        long stale = guest.entry(DATA, EntryBits.PAGE_KERNEL_EXEC);
        guest.memory().writeEntry(guest.pa(PT, 5), stale); // split_large_page's page is not zeroed
        ops.allocPt(PT);
        Shadow s = ops.pager().shadowOf(PT);
        assertThat(s.get(5)).isEqualTo(guest.translated(stale)).isNotEqualTo(stale);
        assertThat(s.get(4)).isZero();
        assertThat(ops.pager().typeOf(PT)).isEqualTo(PageTypeChecker.L1 | (mode == PagingMode.PAE ? PageTypeChecker.PAE : 0));
        assertThat(ops.counters()).containsEntry("shadows-live", 1L).containsEntry("entries-translated", 1L);
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("a pte write stores the guest's entry and the translated entry, every flag kept")
    void setPteAtStoresGuestAndShadow(PagingMode mode) {
        TestGuest guest = new TestGuest(mode);
        VmiOps ops = guest.ops();
        ops.allocPt(PT);
        long flags = EntryBits.PAGE_SHARED | EntryBits.DIRTY | (mode == PagingMode.PAE ? EntryBits.NX : 0);
        long pte = guest.entry(DATA, flags);
        ops.setPteAt(0, 0x08048000L, guest.pa(PT, 7), pte);
        assertThat(guest.memory().readEntry(guest.pa(PT, 7))).isEqualTo(pte);
        long shadow = ops.pager().shadowOf(PT).get(7);
        assertThat(shadow).isEqualTo(guest.translated(pte));
        assertThat(shadow & mode.flagMask()).isEqualTo(pte & mode.flagMask());
        assertThat(mode.entryPfn(shadow)).isNotEqualTo(DATA);
        assertThat(ops.counters()).containsEntry("traps", 1L);
    }

    @Test
    @DisplayName("set_pmd_pte's pte-level write to a page directory is accepted and shadowed")
    void setPteAtomicOnPageDirectory() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        ops.allocPd(TestGuest.SWAPPER);
        long large = guest.entry(0x400, EntryBits.PAGE_KERNEL_LARGE_EXEC);
        ops.setPteAtomic(guest.pa(TestGuest.SWAPPER, 769), large);
        assertThat(ops.pager().shadowOf(TestGuest.SWAPPER).get(769)).isEqualTo(guest.translated(large));
        assertThat(ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("during boot, before vmi.c applies the boot allocations, writes to an untyped frame pass through: stored, not shadowed, not a trap")
    void writeToNormalFramePassesThrough() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        long pte = guest.entry(DATA, EntryBits.PAGE_SHARED);
        ops.setPte(guest.pa(PT, 1), pte);
        ops.setPmd(guest.pa(ROOT, 2), guest.link(PT));
        ops.pteUpdate(0, 0, guest.pa(PT, 1));
        assertThat(guest.memory().readEntry(guest.pa(PT, 1))).isEqualTo(pte);
        assertThat(guest.memory().readEntry(guest.pa(ROOT, 2))).isEqualTo(guest.link(PT));
        assertThat(ops.pager().shadowOf(PT)).isNull();
        assertThat(ops.counters()).containsEntry("traps", 0L).containsEntry("shadows-live", 0L);
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("pteUpdate resynchronises a shadow entry the guest changed in place")
    void pteUpdateResyncs(PagingMode mode) {
        TestGuest guest = new TestGuest(mode);
        VmiOps ops = guest.ops();
        ops.allocPt(PT);
        long writable = guest.entry(DATA, EntryBits.PAGE_SHARED | EntryBits.RW);
        ops.setPteAt(0, 0, guest.pa(PT, 9), writable);
        long readOnly = writable & ~EntryBits.RW;
        guest.memory().writeEntry(guest.pa(PT, 9), readOnly); // ptep_set_wrprotect: clear_bit in place
        assertThat(ops.pager().shadowOf(PT).get(9)).isEqualTo(guest.translated(writable));
        ops.pteUpdate(0, 0, guest.pa(PT, 9));
        assertThat(ops.pager().shadowOf(PT).get(9)).isEqualTo(guest.translated(readOnly));
        assertThat(ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("clears store zero in guest and shadow")
    void clearsStoreZero() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        ops.allocPt(PT);
        ops.allocPd(ROOT);
        ops.setPteAt(0, 0, guest.pa(PT, 3), guest.entry(DATA, EntryBits.PAGE_SHARED));
        ops.setPmd(guest.pa(ROOT, 3), guest.link(PT));
        ops.pteClear(0, 0, guest.pa(PT, 3));
        ops.pmdClear(guest.pa(ROOT, 3));
        assertThat(guest.memory().readEntry(guest.pa(PT, 3))).isZero();
        assertThat(ops.pager().shadowOf(PT).get(3)).isZero();
        assertThat(ops.pager().shadowOf(ROOT).get(3)).isZero();
        assertThat(ops.counters()).containsEntry("traps", 4L);
    }

    @Test
    @DisplayName("a non-present entry holds no frame and is shadowed as it is")
    void nonPresentEntryKeptVerbatim() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        ops.allocPt(PT);
        long swapEntry = 0x0001_2340L; // not present: a swap entry's bits
        ops.setPteAt(0, 0, guest.pa(PT, 11), swapEntry);
        assertThat(ops.pager().shadowOf(PT).get(11)).isEqualTo(swapEntry);
        assertThat(ops.counters()).containsEntry("entries-translated", 0L);
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("a release drops the shadow and makes the frame normal; a new announcement starts afresh")
    void releaseDropsShadow(PagingMode mode) {
        TestGuest guest = new TestGuest(mode);
        VmiOps ops = guest.ops();
        ops.allocPt(PT);
        ops.setPteAt(0, 0, guest.pa(PT, 0), guest.entry(DATA, EntryBits.PAGE_SHARED));
        ops.releasePt(PT);
        assertThat(ops.pager().shadowOf(PT)).isNull();
        assertThat(ops.pager().typeOf(PT)).isEqualTo(PageTypeChecker.NORMAL);
        guest.memory().clearFrame(PT);
        ops.allocPd(PT);
        assertThat(ops.pager().shadowOf(PT).get(0)).isZero();
        assertThat(ops.counters()).containsEntry("shadows-live", 1L).containsEntry("shadows-peak", 1L)
                .containsEntry("shadow-bytes", 4096L);
    }

    @Test
    @DisplayName("counters come in a fixed order and count shadows live and peak")
    void countersInFixedOrder() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        for (long pfn = PT; pfn < PT + 5; pfn++) {
            ops.allocPt(pfn);
        }
        for (long pfn = PT; pfn < PT + 3; pfn++) {
            ops.releasePt(pfn);
        }
        assertThat(ops.counters().keySet()).containsExactly("shadows-live", "shadows-peak", "shadow-bytes", "traps",
                "clones", "clone-entries-copied", "entries-translated", "lazy-queued", "flushes", "violations-recorded");
        assertThat(ops.counters()).containsEntry("shadows-live", 2L).containsEntry("shadows-peak", 5L)
                .containsEntry("shadow-bytes", 2L * 4096);
    }
}
