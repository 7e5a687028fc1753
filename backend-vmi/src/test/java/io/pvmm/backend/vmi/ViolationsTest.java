package io.pvmm.backend.vmi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.Finding;
import io.pvmm.api.ParavirtViolation;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The on-violation setting: a broken rule refuses the call, or is recorded and counted. */
class ViolationsTest {

    @Test
    @DisplayName("on-violation accepts throw and record, around blanks too, and refuses anything else naming both")
    void setting() {
        assertThat(Violations.Policy.of("throw")).isEqualTo(Violations.Policy.THROW);
        assertThat(Violations.Policy.of(" record ")).isEqualTo(Violations.Policy.RECORD);
        assertThat(Violations.Policy.THROW.settingValue()).isEqualTo("throw");
        assertThat(Violations.Policy.RECORD.settingValue()).isEqualTo("record");
        assertThatThrownBy(() -> Violations.Policy.of("RECORD")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("on-violation must be throw or record: 'RECORD'");
    }

    @Test
    @DisplayName("throw: the call is refused with the rule, the frame and what was expected and found; nothing is recorded or counted")
    void thrown() {
        VmiCounters counters = new VmiCounters();
        Violations v = new Violations(Violations.Policy.THROW, counters);
        assertThatThrownBy(() -> v.raise(VmiRule.LAZY_MODE_NESTED, 9, "entered twice", "not in lazy mode", "in lazy mode"))
                .isInstanceOfSatisfying(ParavirtViolation.class, e -> {
                    assertThat(e.ruleId()).isEqualTo("lazy-mode-nested");
                    assertThat(e.pfn()).isEqualTo(9);
                    assertThat(e.expected()).isEqualTo("not in lazy mode");
                    assertThat(e.found()).isEqualTo("in lazy mode");
                });
        assertThat(v.findings()).isEmpty();
        assertThat(counters.snapshot()).containsEntry("violations-recorded", 0L);
    }

    @Test
    @DisplayName("record: each violation is kept in order with its words, and violations-recorded counts each one")
    void recorded() {
        VmiCounters counters = new VmiCounters();
        Violations v = new Violations(Violations.Policy.RECORD, counters);
        v.raise(VmiRule.LAZY_MODE_NESTED, 9, "entered twice", "not in lazy mode", "in lazy mode");
        v.raise(VmiRule.LAZY_MODE_UNPAIRED, 10, "left twice", "in lazy mode", "not in lazy mode");
        assertThat(v.findings()).extracting(Finding::ruleId, Finding::pfn, Finding::index, Finding::message, Finding::expected, Finding::found)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("lazy-mode-nested", 9L, -1, "entered twice", "not in lazy mode", "in lazy mode"),
                        org.assertj.core.groups.Tuple.tuple("lazy-mode-unpaired", 10L, -1, "left twice", "in lazy mode", "not in lazy mode"));
        assertThat(counters.snapshot()).containsEntry("violations-recorded", 2L);
    }
}
