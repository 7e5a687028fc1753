package io.pvmm.backend.vmi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtViolation;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Each rule the hooks enforce, refused with its id before any state changes. */
class VmiRulesTest {

    private static final long PT = 0x100;
    private static final long PT2 = 0x101;
    private static final long ROOT = 0x200;

    private final TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
    private final VmiOps ops = guest.ops();

    private static void assertViolation(Executable call, VmiRule rule, long pfn) {
        assertThatThrownBy(call::execute)
                .isInstanceOf(ParavirtViolation.class)
                .satisfies(e -> {
                    ParavirtViolation v = (ParavirtViolation) e;
                    assertThat(v.ruleId()).isEqualTo(rule.id());
                    assertThat(v.pfn()).isEqualTo(pfn);
                });
    }

    @Test
    @DisplayName("a frame that is already a page table cannot be announced again")
    void rejectsAllocOfTypedFrame() {
        ops.allocPt(PT);
        assertViolation(() -> ops.allocPt(PT), VmiRule.ALLOC_OF_TYPED_FRAME, PT);
        assertViolation(() -> ops.allocPd(PT), VmiRule.ALLOC_OF_TYPED_FRAME, PT);
        ops.allocPd(TestGuest.SWAPPER);
        assertViolation(() -> ops.allocPdClone(PT, TestGuest.SWAPPER, 768, 256), VmiRule.ALLOC_OF_TYPED_FRAME, PT);
        assertThat(ops.pager().typeOf(PT)).isEqualTo(PageTypeChecker.L1);
        assertThat(ops.counters()).containsEntry("shadows-live", 2L);
    }

    @Test
    @DisplayName("a frame that is not a page table cannot be released")
    void rejectsReleaseOfUntypedFrame() {
        ops.allocPt(PT);
        ops.releasePt(PT);
        assertViolation(() -> ops.releasePt(PT), VmiRule.RELEASE_OF_UNTYPED_FRAME, PT);
        assertViolation(() -> ops.releasePd(PT2), VmiRule.RELEASE_OF_UNTYPED_FRAME, PT2);
    }

    @Test
    @DisplayName("releasePt of a page directory and releasePd of a pte page are refused, and the frame keeps its shadow")
    void rejectsReleaseLevelMismatch() {
        ops.allocPt(PT);
        ops.allocPd(ROOT);
        assertViolation(() -> ops.releasePd(PT), VmiRule.RELEASE_LEVEL_MISMATCH, PT);
        assertViolation(() -> ops.releasePt(ROOT), VmiRule.RELEASE_LEVEL_MISMATCH, ROOT);
        assertThat(ops.pager().shadowOf(PT)).isNotNull();
        assertThat(ops.pager().shadowOf(ROOT)).isNotNull();
        assertThat(ops.counters()).containsEntry("shadows-live", 2L);
    }

    @Test
    @DisplayName("a page table whose frame is already back in the free pool cannot be released")
    void rejectsReleaseOfFreeFrame() {
        ops.allocPt(PT);
        guest.memory().free(PT);
        assertViolation(() -> ops.releasePt(PT), VmiRule.RELEASE_OF_FREE_FRAME, PT);
        assertThat(ops.pager().typeOf(PT)).isEqualTo(PageTypeChecker.L1);
        guest.memory().allocate(PT);
        ops.releasePt(PT);
        assertThat(ops.pager().typeOf(PT)).isEqualTo(PageTypeChecker.NORMAL);
    }

    @Test
    @DisplayName("a pmd write to a pte page is refused before the guest's entry is stored")
    void rejectsWriteLevelMismatch() {
        ops.allocPt(PT);
        long link = guest.link(PT2);
        assertViolation(() -> ops.setPmd(guest.pa(PT, 3), link), VmiRule.WRITE_LEVEL_MISMATCH, PT);
        assertViolation(() -> ops.pmdClear(guest.pa(PT, 3)), VmiRule.WRITE_LEVEL_MISMATCH, PT);
        assertThat(guest.memory().readEntry(guest.pa(PT, 3))).isZero();
        assertThat(ops.counters()).containsEntry("traps", 0L);
    }

    @Test
    @DisplayName("setPte may write a page directory, because set_pmd_pte rewrites pmds through it")
    void acceptsSetPteOnPageDirectory() {
        ops.allocPd(ROOT);
        long link = guest.link(PT);
        ops.setPte(guest.pa(ROOT, 5), link);
        assertThat(guest.memory().readEntry(guest.pa(ROOT, 5))).isEqualTo(link);
        assertThat(ops.pager().shadowOf(ROOT).get(5)).isEqualTo(guest.translated(link));
    }

    @Test
    @DisplayName("setPteAt into a page directory is refused: vmi_set_pte_at accepts a pte page only")
    void rejectsSetPteAtOnPageDirectory() {
        ops.allocPd(ROOT);
        long link = guest.link(PT);
        assertViolation(() -> ops.setPteAt(guest.pa(ROOT, 0), 0x1400000L, guest.pa(ROOT, 5), link),
                VmiRule.WRITE_LEVEL_MISMATCH, ROOT);
        assertThat(guest.memory().readEntry(guest.pa(ROOT, 5))).isZero();
        assertThat(ops.pager().shadowOf(ROOT).get(5)).isZero();
        assertThat(ops.counters()).containsEntry("traps", 0L);
    }

    @Test
    @DisplayName("pteClear of a page-directory entry is refused: vmi_pte_clear accepts a pte page only")
    void rejectsPteClearOnPageDirectory() {
        long link = guest.link(PT);
        guest.memory().writeEntry(guest.pa(ROOT, 5), link);
        ops.allocPd(ROOT);
        assertViolation(() -> ops.pteClear(guest.pa(ROOT, 0), 0x1400000L, guest.pa(ROOT, 5)),
                VmiRule.WRITE_LEVEL_MISMATCH, ROOT);
        assertThat(guest.memory().readEntry(guest.pa(ROOT, 5))).isEqualTo(link);
        assertThat(ops.pager().shadowOf(ROOT).get(5)).isEqualTo(guest.translated(link));
        assertThat(ops.counters()).containsEntry("traps", 0L);
    }

    @Test
    @DisplayName("pteUpdate of a page-directory entry is refused: vmi_update_pte accepts a pte page only")
    void rejectsPteUpdateOnPageDirectory() {
        ops.allocPd(ROOT);
        long link = guest.link(PT);
        guest.memory().writeEntry(guest.pa(ROOT, 5), link); // changed in place, as ptep_set_wrprotect would
        assertViolation(() -> ops.pteUpdate(guest.pa(ROOT, 0), 0x1400000L, guest.pa(ROOT, 5)),
                VmiRule.WRITE_LEVEL_MISMATCH, ROOT);
        assertThat(ops.pager().shadowOf(ROOT).get(5)).isZero();
        assertThat(ops.counters()).containsEntry("traps", 0L);
    }

    @Test
    @DisplayName("in PAE mode setPteAt, pteClear and pteUpdate into a pmd are refused too")
    void rejectsPteLevelHooksOnPaePmd() {
        TestGuest pae = new TestGuest(PagingMode.PAE);
        VmiOps paeOps = pae.ops();
        paeOps.allocPd(ROOT);
        long link = pae.link(PT);
        assertViolation(() -> paeOps.setPteAt(0x300L << 12, 0x400000L, pae.pa(ROOT, 2), link),
                VmiRule.WRITE_LEVEL_MISMATCH, ROOT);
        assertViolation(() -> paeOps.pteClear(0x300L << 12, 0x400000L, pae.pa(ROOT, 2)),
                VmiRule.WRITE_LEVEL_MISMATCH, ROOT);
        assertViolation(() -> paeOps.pteUpdate(0x300L << 12, 0x400000L, pae.pa(ROOT, 2)),
                VmiRule.WRITE_LEVEL_MISMATCH, ROOT);
        paeOps.setPteAtomic(pae.pa(ROOT, 2), link); // set_pte_atomic: no level check in vmi.c
        assertThat(pae.memory().readEntry(pae.pa(ROOT, 2))).isEqualTo(link);
    }

    @Test
    @DisplayName("in PAE mode a root write to a tracked table is refused: PDPTs are never tracked")
    void rejectsWriteLevelMismatchOfPaeRootWrite() {
        TestGuest pae = new TestGuest(PagingMode.PAE);
        VmiOps paeOps = pae.ops();
        paeOps.allocPd(ROOT);
        assertViolation(() -> paeOps.setPgd(pae.pa(ROOT, 0), pae.entry(PT, EntryBits.PRESENT)),
                VmiRule.WRITE_LEVEL_MISMATCH, ROOT);
        paeOps.setPgd(pae.pa(0x300, 0), pae.entry(ROOT, EntryBits.PRESENT)); // an untracked PDPT: passes through
        assertThat(pae.memory().readEntry(pae.pa(0x300, 0))).isEqualTo(pae.entry(ROOT, EntryBits.PRESENT));
    }

    @Test
    @DisplayName("a write whose PAE flag differs from the frame's type is refused")
    void rejectsWritePaeMismatch() {
        Violations violations = new Violations(Violations.Policy.THROW, new VmiCounters());
        PageTypeChecker types = new PageTypeChecker(TestGuest.FRAMES, violations);
        types.setPageType(PT, PageTypeChecker.L1); // a 2-level pte page
        assertViolation(() -> types.checkPageType(PT, PageTypeChecker.PT | PageTypeChecker.PD | PageTypeChecker.PAE, "setPte"),
                VmiRule.WRITE_PAE_MISMATCH, PT);
        assertThat(types.checkPageType(PT, PageTypeChecker.PT | PageTypeChecker.PD, "setPte")).isEqualTo(PageTypeChecker.L1);
    }

    @Test
    @DisplayName("a root cannot be cloned from a frame that is not a live page directory")
    void rejectsCloneFromNonL2() {
        ops.allocPt(PT);
        assertViolation(() -> ops.allocPdClone(ROOT, PT, 768, 256), VmiRule.CLONE_SOURCE_NOT_L2, PT);
        assertViolation(() -> ops.allocPdClone(ROOT, TestGuest.SWAPPER, 768, 256), VmiRule.CLONE_SOURCE_NOT_L2,
                TestGuest.SWAPPER);
        assertViolation(() -> ops.allocPdClone(ROOT, TestGuest.FRAMES + 1, 768, 256), VmiRule.CLONE_SOURCE_NOT_L2,
                TestGuest.FRAMES + 1);
        ops.allocPd(TestGuest.SWAPPER);
        ops.releasePd(TestGuest.SWAPPER);
        assertViolation(() -> ops.allocPdClone(ROOT, TestGuest.SWAPPER, 768, 256), VmiRule.CLONE_SOURCE_NOT_L2,
                TestGuest.SWAPPER);
        assertThat(ops.pager().typeOf(ROOT)).isEqualTo(PageTypeChecker.NORMAL);
        assertThat(ops.counters()).containsEntry("clones", 0L);
    }

    @Test
    @DisplayName("a root whose user part is not empty cannot be cloned")
    void rejectsCloneUserPartNotEmpty() {
        ops.allocPd(TestGuest.SWAPPER);
        guest.memory().writeEntry(guest.pa(ROOT, 767), guest.link(PT));
        assertThatThrownBy(() -> ops.allocPdClone(ROOT, TestGuest.SWAPPER, 768, 256))
                .isInstanceOf(ParavirtViolation.class)
                .hasMessageContaining("entry 767")
                .satisfies(e -> assertThat(((ParavirtViolation) e).ruleId()).isEqualTo("clone-user-part-not-empty"));
        assertThat(ops.pager().typeOf(ROOT)).isEqualTo(PageTypeChecker.NORMAL);
    }

    @Test
    @DisplayName("lazy MMU mode cannot be entered twice on one vCPU")
    void rejectsLazyModeNested() {
        ops.enterLazyMmu();
        assertViolation(ops::enterLazyMmu, VmiRule.LAZY_MODE_NESTED, -1);
        ops.leaveLazyMmu();
    }

    @Test
    @DisplayName("lazy MMU mode cannot be left on a vCPU that is not in it")
    void rejectsLazyModeUnpaired() {
        assertViolation(ops::leaveLazyMmu, VmiRule.LAZY_MODE_UNPAIRED, -1);
        ops.enterLazyMmu();
        ops.leaveLazyMmu();
        assertViolation(ops::leaveLazyMmu, VmiRule.LAZY_MODE_UNPAIRED, -1);
    }

    @Test
    @DisplayName("every rule has a distinct kebab-case id and a summary")
    void rulesHaveStableIds() {
        assertThat(VmiRule.values()).extracting(VmiRule::id)
                .doesNotHaveDuplicates()
                .allMatch(id -> id.matches("[a-z0-9]+(-[a-z0-9]+)*"));
        assertThat(VmiRule.values()).extracting(VmiRule::summary).allMatch(s -> !s.isBlank());
        assertThat(VmiRule.CLONE_SOURCE_NOT_L2.id()).isEqualTo("clone-source-not-l2");
    }
}
