package io.pvmm.backend.vmi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.EntryBits;
import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtViolation;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The rules that follow tables beyond their own frame: writes to frames never announced (vmi.c's
 * checker once boot is over), PAE roots and the pmds they link, what each vCPU has loaded, and the
 * links between shadows.
 */
class VmiTableTrackingRulesTest {

    private static final long PT = 0x100;
    private static final long ROOT = 0x200;
    private static final long NORMAL = 0x280;
    private static final long PDPT = 0x300;

    private static void assertViolation(Executable call, VmiRule rule, long pfn) {
        assertThatThrownBy(call::execute)
                .isInstanceOfSatisfying(ParavirtViolation.class, v -> {
                    assertThat(v.ruleId()).isEqualTo(rule.id());
                    assertThat(v.pfn()).isEqualTo(pfn);
                    assertThat(v.getMessage()).contains("expected").contains("found");
                });
    }

    private static void bootDone(VmiOps ops) {
        ops.pagetableSetupDone(TestGuest.SWAPPER << PagingMode.PAGE_SHIFT);
    }

    @Test
    @DisplayName("after boot, a pte or pmd write to a frame never announced is refused and nothing is stored")
    void rejectsWriteToUnannouncedFrame() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        long pte = guest.entry(TestGuest.DATA, EntryBits.PRESENT | EntryBits.RW);
        ops.setPte(guest.pa(NORMAL, 1), pte); // boot: vmi.c only records types until mem_map exists
        bootDone(ops);
        assertViolation(() -> ops.setPte(guest.pa(NORMAL, 2), pte), VmiRule.WRITE_TO_UNANNOUNCED_FRAME, NORMAL);
        assertViolation(() -> ops.setPteAt(guest.pa(ROOT, 0), 0x1000L, guest.pa(NORMAL, 2), pte),
                VmiRule.WRITE_TO_UNANNOUNCED_FRAME, NORMAL);
        assertViolation(() -> ops.setPmd(guest.pa(NORMAL, 2), guest.link(PT)), VmiRule.WRITE_TO_UNANNOUNCED_FRAME, NORMAL);
        assertViolation(() -> ops.pmdClear(guest.pa(NORMAL, 1)), VmiRule.WRITE_TO_UNANNOUNCED_FRAME, NORMAL);
        assertViolation(() -> ops.pteClear(guest.pa(ROOT, 0), 0x1000L, guest.pa(NORMAL, 1)),
                VmiRule.WRITE_TO_UNANNOUNCED_FRAME, NORMAL);
        assertViolation(() -> ops.pteUpdate(guest.pa(ROOT, 0), 0x1000L, guest.pa(NORMAL, 1)),
                VmiRule.WRITE_TO_UNANNOUNCED_FRAME, NORMAL);
        assertThat(guest.memory().readEntry(guest.pa(NORMAL, 2))).isZero();
        assertThat(guest.memory().readEntry(guest.pa(NORMAL, 1))).isEqualTo(pte);
        ops.allocPt(PT);
        ops.setPte(guest.pa(PT, 2), pte); // an announced table: accepted
        assertThat(ops.pager().shadowOf(PT).get(2)).isEqualTo(guest.translated(pte));
    }

    @Test
    @DisplayName("set_pmd_pte's 2-level set_pte_atomic reaches a root that pgd_dtor has just released: it is stored, not refused")
    void acceptsSetPmdPteOnAJustReleasedRoot() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        bootDone(ops);
        long large = guest.entry(TestGuest.DATA, EntryBits.PRESENT | EntryBits.RW | EntryBits.PSE);
        // pgd_dtor: paravirt_release_pd, and only then pgd_lock and pgd_list_del; set_pmd_pte, holding
        // pgd_lock on another vCPU, still finds the root on pgd_list
        ops.setPteAtomic(guest.pa(NORMAL, 800), large);
        assertThat(guest.memory().readEntry(guest.pa(NORMAL, 800))).isEqualTo(large);
        assertThat(ops.pager().typeOf(NORMAL)).isEqualTo(PageTypeChecker.NORMAL);
        assertViolation(() -> ops.setPte(guest.pa(NORMAL, 801), large), VmiRule.WRITE_TO_UNANNOUNCED_FRAME, NORMAL);
    }

    @Test
    @DisplayName("a kernel entry of a 2-level root just released may still be written: pgd_dtor releases it before pgd_list_del")
    void acceptsKernelWritesToRootStillOnPgdList() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        ops.allocPd(TestGuest.SWAPPER);
        ops.allocPdClone(ROOT, TestGuest.SWAPPER, 768, 256);
        ops.allocPt(PT);
        bootDone(ops);
        ops.releasePd(ROOT); // pgd_dtor: release_pd, then pgd_list_del under pgd_lock

        long large = guest.entry(0x400, EntryBits.PRESENT | EntryBits.RW | EntryBits.PSE);
        ops.setPteAtomic(guest.pa(ROOT, 800), large); // set_pmd_pte on the root still listed
        ops.setPmd(guest.pa(ROOT, 801), guest.link(PT)); // vmalloc_sync_all on it
        assertThat(guest.memory().readEntry(guest.pa(ROOT, 800))).isEqualTo(large);
        assertThat(ops.pager().shadowOf(ROOT)).isNull();
        assertThat(ops.pager().linksTo(PT)).isZero();

        assertViolation(() -> ops.setPmd(guest.pa(ROOT, 5), guest.link(PT)), VmiRule.WRITE_TO_UNANNOUNCED_FRAME, ROOT);
        ops.releasePt(PT);
        assertViolation(() -> ops.setPmd(guest.pa(PT, 800), guest.link(PT)), VmiRule.WRITE_TO_UNANNOUNCED_FRAME, PT);
        ops.allocPt(ROOT); // the frame reused as a pte page, then released: no longer a listed root
        ops.releasePt(ROOT);
        assertViolation(() -> ops.setPmd(guest.pa(ROOT, 800), guest.link(PT)), VmiRule.WRITE_TO_UNANNOUNCED_FRAME, ROOT);
    }

    @Test
    @DisplayName("in PAE mode vmi.c checks no set_pte_atomic and no root write, so those reach untracked frames")
    void acceptsUncheckedPaeWritesToUnannouncedFrames() {
        TestGuest pae = new TestGuest(PagingMode.PAE);
        VmiOps ops = pae.ops();
        bootDone(ops);
        long pte = pae.entry(TestGuest.DATA, EntryBits.PRESENT);
        ops.setPteAtomic(pae.pa(NORMAL, 3), pte);
        ops.setPgd(pae.pa(PDPT, 3), 0); // an empty root entry links nothing
        assertThat(pae.memory().readEntry(pae.pa(NORMAL, 3))).isEqualTo(pte);
        assertViolation(() -> ops.setPmd(pae.pa(NORMAL, 4), pae.link(PT)), VmiRule.WRITE_TO_UNANNOUNCED_FRAME, NORMAL);
    }

    @Test
    @DisplayName("in PAE mode a root entry may link only a pmd announced with allocPd")
    void rejectsLinkToUnannouncedPmd() {
        TestGuest pae = new TestGuest(PagingMode.PAE);
        VmiOps ops = pae.ops();
        long link = pae.entry(ROOT, EntryBits.PRESENT);
        ops.setPgd(pae.pa(PDPT, 0), link); // boot links empty_zero_page: not checked yet
        bootDone(ops);
        assertViolation(() -> ops.setPgd(pae.pa(PDPT, 1), link), VmiRule.LINK_TO_UNANNOUNCED_PMD, ROOT);
        assertThat(pae.memory().readEntry(pae.pa(PDPT, 1))).isZero();
        ops.allocPd(ROOT);
        ops.setPgd(pae.pa(PDPT, 1), link);
        assertThat(pae.memory().readEntry(pae.pa(PDPT, 1))).isEqualTo(link);
        assertThat(ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("a 2-level root cannot be released while a vCPU has it in CR3")
    void rejectsReleaseOfLoadedRoot() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL, 2, Map.of());
        VmiOps ops = guest.ops();
        ops.allocPd(TestGuest.SWAPPER);
        ops.allocPdClone(ROOT, TestGuest.SWAPPER, 768, 256);
        guest.becomeCpu(1);
        ops.writeCr3(ROOT << PagingMode.PAGE_SHIFT);
        guest.becomeCpu(0);
        assertViolation(() -> ops.releasePd(ROOT), VmiRule.RELEASE_OF_LOADED_ROOT, ROOT);
        assertThat(ops.pager().shadowOf(ROOT)).isNotNull();
        guest.becomeCpu(1);
        ops.writeCr3(TestGuest.SWAPPER << PagingMode.PAGE_SHIFT); // switch_mm away, then the last mmdrop
        ops.releasePd(ROOT);
        assertThat(ops.pager().shadowOf(ROOT)).isNull();
    }

    @Test
    @DisplayName("in PAE mode a pmd cannot be released while a vCPU has the root that links it loaded")
    void rejectsReleaseOfPmdOfLoadedPaeRoot() {
        TestGuest pae = new TestGuest(PagingMode.PAE);
        VmiOps ops = pae.ops();
        bootDone(ops);
        ops.allocPd(ROOT);
        ops.setPgd(pae.pa(PDPT, 0), pae.entry(ROOT, EntryBits.PRESENT));
        ops.writeCr3(pae.pa(PDPT, 0));
        assertViolation(() -> ops.releasePd(ROOT), VmiRule.RELEASE_OF_LOADED_ROOT, ROOT);
        ops.writeCr3(TestGuest.SWAPPER << PagingMode.PAGE_SHIFT);
        ops.releasePd(ROOT); // pgd_free: the PDPT still links it, but nobody has it loaded
        assertThat(ops.pager().typeOf(ROOT)).isEqualTo(PageTypeChecker.NORMAL);
    }

    @Test
    @DisplayName("a pte page released while a live page directory's shadow links it is found, and cannot be announced again")
    void rejectsReleaseOfLinkedTable() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        ops.allocPd(ROOT);
        ops.allocPt(PT);
        ops.setPmd(guest.pa(ROOT, 5), guest.link(PT));
        ops.releasePt(PT); // free_pte_range without its pmd_clear
        assertThat(ops.audit()).extracting(Finding::ruleId).contains(VmiRule.RELEASE_OF_LINKED_TABLE.id());
        assertViolation(() -> ops.allocPt(PT), VmiRule.RELEASE_OF_LINKED_TABLE, PT);
        assertThat(ops.pager().typeOf(PT)).isEqualTo(PageTypeChecker.NORMAL);
    }

    @Test
    @DisplayName("a pte page whose links go before the next quiescent point may be released first, as change_page_attr's revert does")
    void acceptsReleaseWhoseLinksGoAtOnce() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        ops.allocPd(TestGuest.SWAPPER);
        ops.allocPdClone(ROOT, TestGuest.SWAPPER, 768, 256);
        ops.allocPt(PT);
        ops.setPmd(guest.pa(TestGuest.SWAPPER, 800), guest.link(PT));
        ops.setPteAtomic(guest.pa(ROOT, 800), guest.link(PT)); // set_pmd_pte on the listed root
        assertThat(ops.pager().linksTo(PT)).isEqualTo(2);
        ops.releasePt(PT); // release_pt, then revert_page
        long large = guest.entry(0x400, EntryBits.PRESENT | EntryBits.RW | EntryBits.PSE);
        ops.setPteAtomic(guest.pa(TestGuest.SWAPPER, 800), large);
        ops.setPteAtomic(guest.pa(ROOT, 800), large);
        assertThat(ops.pager().linksTo(PT)).isZero();
        assertThat(ops.audit()).isEmpty();
        ops.allocPt(PT); // reused as a pte page: fine
    }

    @Test
    @DisplayName("links held by a released page directory go with its shadow")
    void dropsLinksOfReleasedDirectory() {
        TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
        VmiOps ops = guest.ops();
        ops.allocPt(PT);
        guest.memory().writeEntry(guest.pa(ROOT, 7), guest.link(PT));
        ops.allocPd(ROOT); // built from its contents: one link
        assertThat(ops.pager().linksTo(PT)).isEqualTo(1);
        guest.memory().writeEntry(guest.pa(ROOT, 7), 0);
        ops.releasePd(ROOT);
        assertThat(ops.pager().linksTo(PT)).isZero();
        ops.releasePt(PT);
        assertThat(ops.audit()).isEmpty();
    }
}
