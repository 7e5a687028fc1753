package io.pvmm.backend.vmi;

import static io.pvmm.backend.vmi.PageTypeChecker.L1;
import static io.pvmm.backend.vmi.PageTypeChecker.L2;
import static io.pvmm.backend.vmi.PageTypeChecker.NORMAL;
import static io.pvmm.backend.vmi.PageTypeChecker.PAE;
import static io.pvmm.backend.vmi.PageTypeChecker.PD;
import static io.pvmm.backend.vmi.PageTypeChecker.PDP;
import static io.pvmm.backend.vmi.PageTypeChecker.PT;
import static io.pvmm.backend.vmi.PageTypeChecker.UNCHECKED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pvmm.api.ParavirtViolation;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The page-type map's checks one by one, with the words each violation carries. */
class PageTypeCheckerTest {

    private static final long FRAMES = 16;

    private static PageTypeChecker checker() {
        return new PageTypeChecker(FRAMES, new Violations(Violations.Policy.THROW, new VmiCounters()));
    }

    private static ParavirtViolation refused(Executable call) {
        return catchThrowableOfType(call::execute, ParavirtViolation.class);
    }

    @Test
    @DisplayName("the map has one entry per guest frame: frames 0 .. frames-1, nothing beyond, and at least one frame")
    void bounds() {
        assertThatThrownBy(() -> new PageTypeChecker(0, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("guest frames out of range: 0");
        assertThatThrownBy(() -> new PageTypeChecker(1L + Integer.MAX_VALUE, null)).isInstanceOf(IllegalArgumentException.class);
        PageTypeChecker c = checker();
        assertThat(c.typeOf(0)).isEqualTo(NORMAL);
        assertThat(c.typeOf(FRAMES - 1)).isEqualTo(NORMAL);
        assertThatThrownBy(() -> c.typeOf(FRAMES)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("frame 0x10 is beyond the guest's 16 frames");
        assertThatThrownBy(() -> c.typeOf(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("a type's name: NORMAL, L1, L2, PDP, each with |PAE; the levels a write accepts: L1 or L2, with (PAE)")
    void names() {
        assertThat(PageTypeChecker.describe(NORMAL)).isEqualTo("NORMAL");
        assertThat(PageTypeChecker.describe(PAE)).isEqualTo("NORMAL");
        assertThat(PageTypeChecker.describe(PT)).isEqualTo("L1");
        assertThat(PageTypeChecker.describe(PD)).isEqualTo("L2");
        assertThat(PageTypeChecker.describe(PDP)).isEqualTo("PDP");
        assertThat(PageTypeChecker.describe(PT | PAE)).isEqualTo("L1|PAE");
        assertThat(PageTypeChecker.describe(PD | PAE)).isEqualTo("L2|PAE");

        PageTypeChecker c = checker();
        c.applyBootPageAllocations();
        assertThat(refused(() -> c.checkPageType(3, PT | PD, "set_pte")).expected()).isEqualTo("type L1 or L2");
        assertThat(refused(() -> c.checkPageType(3, PT | PD | PAE, "set_pte")).expected()).isEqualTo("type L1 or L2 (PAE)");
        assertThat(refused(() -> c.checkPageType(3, PT | PAE, "set_pte_at")).expected()).isEqualTo("type L1 (PAE)");
        assertThat(refused(() -> c.checkPageType(3, PD, "set_pmd")).expected()).isEqualTo("type L2");
    }

    @Test
    @DisplayName("announcing a typed frame and releasing an untyped one are refused, with what was expected and found")
    void setPageType() {
        PageTypeChecker c = checker();
        c.setPageType(2, L1 | PAE);
        assertThat(c.typeOf(2)).isEqualTo(L1 | PAE);
        ParavirtViolation twice = refused(() -> c.setPageType(2, L2 | PAE));
        assertThat(twice.ruleId()).isEqualTo("alloc-of-typed-frame");
        assertThat(twice.pfn()).isEqualTo(2);
        assertThat(twice.getMessage()).contains("a frame is announced as L2|PAE while it is a page table");
        assertThat(twice.expected()).isEqualTo("type NORMAL");
        assertThat(twice.found()).isEqualTo("type L1|PAE");

        c.setPageType(2, NORMAL);
        assertThat(c.releasedAs(2)).isEqualTo(L1 | PAE);
        ParavirtViolation untyped = refused(() -> c.setPageType(2, NORMAL));
        assertThat(untyped.ruleId()).isEqualTo("release-of-untyped-frame");
        assertThat(untyped.expected()).isEqualTo("a page-table type");
        assertThat(untyped.found()).isEqualTo("type NORMAL");
    }

    @Test
    @DisplayName("a release at the wrong level is refused with the level asked for and the frame's own; a NORMAL frame is left to the type check")
    void releaseLevel() {
        PageTypeChecker c = checker();
        c.assign(5, L2 | PAE);
        ParavirtViolation v = refused(() -> c.checkReleaseLevel(5, L1));
        assertThat(v.ruleId()).isEqualTo("release-level-mismatch");
        assertThat(v.pfn()).isEqualTo(5);
        assertThat(v.getMessage()).contains("release as L1 of a frame of another level");
        assertThat(v.expected()).isEqualTo("type L1|PAE");
        assertThat(v.found()).isEqualTo("type L2|PAE");
        assertThatCode(() -> c.checkReleaseLevel(5, L2)).doesNotThrowAnyException();
        c.assign(9, L1);
        ParavirtViolation twoLevel = refused(() -> c.checkReleaseLevel(9, L2));
        assertThat(twoLevel.expected()).as("no PAE flag on a 2-level frame").isEqualTo("type L2");
        assertThat(twoLevel.found()).isEqualTo("type L1");
        assertThatCode(() -> c.checkReleaseLevel(6, L1)).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("a write returns the frame's type; before boot's allocations are applied a NORMAL frame passes, after them it is refused")
    void writes() {
        PageTypeChecker c = checker();
        c.assign(1, L1);
        assertThat(c.checkPageType(1, PT, "set_pte_at")).isEqualTo(L1);
        assertThat(c.checkPageType(1, UNCHECKED | PD, "set_pte_atomic")).as("unchecked: no level test").isEqualTo(L1);
        assertThat(c.checkPageType(4, PT, "set_pte_at")).as("boot: NORMAL frames are not checked yet").isEqualTo(NORMAL);
        assertThat(c.bootAllocationsApplied()).isFalse();
        c.applyBootPageAllocations();
        assertThat(c.bootAllocationsApplied()).isTrue();
        ParavirtViolation v = refused(() -> c.checkPageType(4, PT, "set_pte_at"));
        assertThat(v.ruleId()).isEqualTo("write-to-unannounced-frame");
        assertThat(v.getMessage()).contains("set_pte_at on a frame that was never announced as a page table");
        assertThat(v.found()).isEqualTo("type NORMAL");
        assertThat(c.checkPageType(4, 0, "set_pgd")).as("a PAE root write may target a NORMAL frame").isEqualTo(NORMAL);
        assertThat(c.checkPageType(4, PT | PageTypeChecker.NORMAL_PASSES, "set_pte")).isEqualTo(NORMAL);
    }

    @Test
    @DisplayName("a write with the other PAE flag, or at another level, is refused, each saying which")
    void mismatches() {
        PageTypeChecker c = checker();
        c.assign(7, L1);
        c.assign(8, L1 | PAE);
        ParavirtViolation pae = refused(() -> c.checkPageType(7, PT | PAE, "set_pte_at"));
        assertThat(pae.ruleId()).isEqualTo("write-pae-mismatch");
        assertThat(pae.getMessage()).contains("set_pte_at with the PAE flag set on a frame typed otherwise");
        assertThat(pae.expected()).isEqualTo("PAE flag set");
        assertThat(pae.found()).isEqualTo("type L1");
        ParavirtViolation clear = refused(() -> c.checkPageType(8, PT, "set_pte_at"));
        assertThat(clear.getMessage()).contains("with the PAE flag clear");
        assertThat(clear.expected()).isEqualTo("PAE flag clear");
        assertThat(clear.found()).isEqualTo("type L1|PAE");

        ParavirtViolation level = refused(() -> c.checkPageType(7, PD, "set_pmd"));
        assertThat(level.ruleId()).isEqualTo("write-level-mismatch");
        assertThat(level.getMessage()).contains("set_pmd on a frame of another level");
        assertThat(level.expected()).isEqualTo("type L2");
        assertThat(level.found()).isEqualTo("type L1");
        ParavirtViolation root = refused(() -> c.checkPageType(8, PAE, "set_pgd"));
        assertThat(root.expected()).isEqualTo("an untracked frame (PAE root)");
        assertThat(c.checkPageType(7, PT | PD, "set_pte")).isEqualTo(L1);
    }
}
