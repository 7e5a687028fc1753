package io.pvmm.backend.xen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class XenRuleTest {

    @Test
    @DisplayName("every rule id is lower-case words joined by dashes, unique, with a one-sentence summary")
    void idsAreStable() {
        assertThat(Arrays.stream(XenRule.values()).map(XenRule::id))
                .allMatch(id -> id.matches("[a-z0-9]+(-[a-z0-9]+)*"))
                .doesNotHaveDuplicates();
        assertThat(XenRule.values()).allSatisfy(r -> assertThat(r.summary()).isNotBlank().doesNotEndWith("."));
    }

    @Test
    @DisplayName("each id is the enum constant's name in kebab case, so ids and code read alike")
    void idsFollowNames() {
        assertThat(XenRule.values()).allSatisfy(r ->
                assertThat(r.id()).isEqualTo(r.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
    }
}
