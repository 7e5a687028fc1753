package io.pvmm.backend.vmi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The rules' ids and summaries, which reports, documentation and tests refer to. */
class VmiRuleTest {

    @Test
    @DisplayName("each id is the enum constant's name in kebab case, unique, so ids and code read alike")
    void idsFollowNames() {
        assertThat(VmiRule.values()).allSatisfy(r ->
                assertThat(r.id()).isEqualTo(r.name().toLowerCase(Locale.ROOT).replace('_', '-')));
        assertThat(Arrays.stream(VmiRule.values()).map(VmiRule::id)).doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("each rule has its own one-sentence summary, in lower case and without a closing full stop")
    void summaries() {
        assertThat(VmiRule.values()).allSatisfy(r -> assertThat(r.summary())
                .isNotBlank()
                .doesNotEndWith(".")
                .satisfies(s -> assertThat(Character.isLowerCase(s.charAt(0))).as(s).isTrue()));
        assertThat(Arrays.stream(VmiRule.values()).map(VmiRule::summary)).doesNotHaveDuplicates();
        assertThat(VmiRule.RELEASE_OF_FREE_FRAME.summary())
                .isEqualTo("a page table is released after its frame went back to the guest's free pool");
    }
}
