package io.pvmm.backend.vmi;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each invariant the audit checks, broken on purpose. */
class VmiAuditTest {

    private static final long PT = 0x100;
    private static final long PMD = 0x200;
    private static final long DATA = TestGuest.DATA;

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("a consistent tree audits clean")
    void consistentTreeIsClean(PagingMode mode) {
        TestGuest guest = new TestGuest(mode);
        VmiOps ops = guest.ops();
        ops.allocPd(PMD);
        ops.allocPt(PT);
        ops.setPmd(guest.pa(PMD, 1), guest.link(PT));
        ops.setPmd(guest.pa(PMD, 2), guest.entry(0x400, EntryBits.PAGE_KERNEL_LARGE_EXEC));
        ops.setPteAt(0, 0, guest.pa(PT, 0), guest.entry(DATA, EntryBits.PAGE_SHARED));
        assertThat(ops.audit()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("a table written without the hook differs from its shadow, and the finding names frame, entry and both values")
    void findsShadowMismatch(PagingMode mode) {
        TestGuest guest = new TestGuest(mode);
        VmiOps ops = guest.ops();
        ops.allocPd(PMD);
        ops.allocPt(PT);
        long link = guest.link(PT);
        guest.memory().writeEntry(guest.pa(PMD, 5), link); // a plain store: the hypervisor never hears of it
        List<Finding> findings = ops.audit();
        assertThat(findings).hasSize(1);
        Finding f = findings.get(0);
        assertThat(f.ruleId()).isEqualTo("shadow-mismatch");
        assertThat(f.pfn()).isEqualTo(PMD);
        assertThat(f.index()).isEqualTo(5);
        assertThat(f.expected()).isEqualTo(String.format(mode == PagingMode.PAE ? "0x%016x" : "0x%08x", guest.translated(link)));
        assertThat(Long.decode(f.found())).isZero();
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("an in-place pte change without pteUpdate (missing-pte-update) leaves the shadow behind, which the audit finds")
    void findsInPlaceChangeWithoutPteUpdate(PagingMode mode) {
        TestGuest guest = new TestGuest(mode);
        VmiOps ops = guest.ops();
        ops.allocPt(PT);
        long pte = guest.entry(DATA, EntryBits.PAGE_SHARED);
        ops.setPteAt(0, 0x1000L, guest.pa(PT, 1), pte);
        guest.memory().writeEntry(guest.pa(PT, 1), pte & ~EntryBits.RW); // ptep_set_wrprotect's clear_bit

        assertThat(ops.audit()).extracting(Finding::ruleId, Finding::pfn, Finding::index)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("shadow-mismatch", PT, 1));

        ops.pteUpdate(0, 0x1000L, guest.pa(PT, 1)); // what the correct guest does next
        assertThat(ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("the audit compares every live shadow: a user pte page and a cloned root's user half are checked too")
    void comparesUserTablesAndClonedRoots() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        ops.allocPd(TestGuest.SWAPPER);
        ops.allocPdClone(PMD, TestGuest.SWAPPER, 768, 256);
        ops.allocPt(PT);
        guest.memory().writeEntry(guest.pa(PMD, 32), guest.link(PT)); // a user pmd linked without the hook
        guest.memory().writeEntry(guest.pa(PT, 7), guest.entry(DATA, EntryBits.PAGE_SHARED)); // and a user pte

        assertThat(ops.audit()).filteredOn(f -> f.ruleId().equals("shadow-mismatch"))
                .extracting(Finding::pfn, Finding::index)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(PT, 7), org.assertj.core.groups.Tuple.tuple(PMD, 32));
    }

    @Test
    @DisplayName("a frame that differs everywhere is reported entry by entry up to a cap, then counted")
    void mismatchFindingsAreCapped() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        ops.allocPt(PT);
        for (int i = 0; i < 100; i++) {
            guest.memory().writeEntry(guest.pa(PT, i), guest.entry(DATA + i, EntryBits.PAGE_SHARED));
        }
        List<Finding> findings = ops.audit();
        assertThat(findings).hasSize(VmiAudit.MISMATCHES_PER_FRAME + 1);
        assertThat(findings.get(VmiAudit.MISMATCHES_PER_FRAME).index()).isEqualTo(-1);
        assertThat(findings.get(VmiAudit.MISMATCHES_PER_FRAME).found()).isEqualTo("100 entries differing");
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("a page directory linking a frame never announced as a pte page is found")
    void findsLinkToUntypedFrame(PagingMode mode) {
        TestGuest guest = new TestGuest(mode);
        VmiOps ops = guest.ops();
        ops.allocPd(PMD);
        ops.setPmd(guest.pa(PMD, 7), guest.link(PT)); // pmd_populate without alloc_pt
        List<Finding> findings = ops.audit();
        assertThat(findings).extracting(Finding::ruleId).containsExactly("link-to-untyped-frame");
        assertThat(findings.get(0).index()).isEqualTo(7);
        assertThat(findings.get(0).expected()).contains("0x100").contains("L1");
    }

    @Test
    @DisplayName("a page directory linking another page directory is found too")
    void findsLinkToPageDirectory() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        ops.allocPd(PMD);
        ops.allocPd(PMD + 1);
        ops.setPmd(guest.pa(PMD, 7), guest.link(PMD + 1));
        assertThat(ops.audit()).extracting(Finding::ruleId).containsExactly("link-to-untyped-frame");
    }

    @Test
    @DisplayName("a typed frame in the guest's free pool is found")
    void findsTypedFrameInFreePool() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        ops.allocPt(PT);
        guest.memory().free(PT); // the frame went back without release_pt
        List<Finding> findings = ops.audit();
        assertThat(findings).extracting(Finding::ruleId).containsExactly("typed-frame-in-free-pool");
        assertThat(findings.get(0).pfn()).isEqualTo(PT);
    }

    @Test
    @DisplayName("under on-violation=record a broken rule is kept, counted and reported by the audit, and the call goes on")
    void recordModeReportsViolations() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL, 1, java.util.Map.of("on-violation", "record"));
        VmiOps ops = guest.ops();
        ops.releasePt(PT);                                   // release-of-untyped-frame
        ops.allocPt(PT);
        long pte = guest.entry(DATA, EntryBits.PAGE_SHARED);
        guest.memory().writeEntry(guest.pa(PT, 1), pte);
        ops.allocPt(PT);                                     // alloc-of-typed-frame: rebuilt from the contents
        ops.setPmd(guest.pa(PT, 2), guest.link(0x101));      // write-level-mismatch: stored and shadowed anyway
        ops.leaveLazyMmu();                                  // lazy-mode-unpaired
        assertThat(ops.pager().shadowOf(PT).get(1)).isEqualTo(guest.translated(pte));
        assertThat(ops.pager().shadowOf(PT).get(2)).isEqualTo(guest.translated(guest.link(0x101)));
        assertThat(ops.audit()).extracting(Finding::ruleId).containsExactly(
                "release-of-untyped-frame", "alloc-of-typed-frame", "write-level-mismatch", "lazy-mode-unpaired");
        assertThat(ops.counters()).containsEntry("violations-recorded", 4L).containsEntry("shadows-live", 1L);
    }

    @Test
    @DisplayName("under on-violation=record a clone from a non-L2 still builds a root, from the guest's entries")
    void recordModeCloneFromNonL2() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL, 1, java.util.Map.of("on-violation", "record"));
        VmiOps ops = guest.ops();
        long large = guest.entry(0x400, EntryBits.PAGE_KERNEL_LARGE_EXEC);
        guest.memory().writeEntry(guest.pa(PMD, 800), large);
        ops.allocPdClone(PMD, TestGuest.SWAPPER, 768, 256);
        assertThat(ops.pager().shadowOf(PMD).get(800)).isEqualTo(guest.translated(large));
        assertThat(ops.audit()).extracting(Finding::ruleId).containsExactly("clone-source-not-l2");
        assertThat(ops.counters()).containsEntry("clones", 1L).containsEntry("clone-entries-copied", 0L);
    }
}
