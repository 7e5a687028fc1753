package io.pvmm.runtime.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Did-you-mean suggestions")
class DidYouMeanTest {

    @Test
    @DisplayName("the distance counts insertions, deletions and substitutions")
    void distance() {
        assertThat(DidYouMean.distance("xen", "xen")).isZero();
        assertThat(DidYouMean.distance("xne", "xen")).isEqualTo(2);
        assertThat(DidYouMean.distance("vm", "vmi")).isEqualTo(1);
        assertThat(DidYouMean.distance("", "abc")).isEqualTo(3);
        assertThat(DidYouMean.distance("kitten", "sitting")).isEqualTo(3);
    }

    @Test
    @DisplayName("a close typo is matched, ignoring case")
    void suggestsTypos() {
        List<String> names = List.of("native", "vmi", "xen");
        assertThat(DidYouMean.closest("xne", names)).hasValue("xen");
        assertThat(DidYouMean.closest("NATVE", names)).hasValue("native");
        assertThat(DidYouMean.closest("pvmm.bakend", List.of("pvmm.backend", "pvmm.mode"))).hasValue("pvmm.backend");
    }

    @Test
    @DisplayName("nothing is suggested for a name unlike every candidate, or for an exact match")
    void noSuggestionWhenFar() {
        assertThat(DidYouMean.closest("bogus", List.of("native", "vmi", "xen"))).isEmpty();
        assertThat(DidYouMean.closest("xen", List.of("xen"))).isEmpty();
        assertThat(DidYouMean.sentence("bogus", List.of("native"))).isEmpty();
        assertThat(DidYouMean.sentence("nativ", List.of("native"))).isEqualTo(" Did you mean 'native'?");
    }
}
