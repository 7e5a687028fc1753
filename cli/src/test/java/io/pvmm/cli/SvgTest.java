package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Chart labels")
class SvgTest {

    @Test
    @DisplayName("an axis over a small scale labels its ticks with their fractions, not as repeated zeros")
    void fractionalTicks() {
        assertThat(Svg.tick(0)).isEqualTo("0");
        assertThat(Svg.tick(0.25)).isEqualTo("0.25");
        assertThat(Svg.tick(0.5)).isEqualTo("0.5");
        assertThat(Svg.tick(1)).isEqualTo("1");
    }

    @Test
    @DisplayName("large ticks and counts are shortened to k and M")
    void largeTicks() {
        assertThat(Svg.tick(12_500)).isEqualTo("12.5k");
        assertThat(Svg.tick(2_500.4)).isEqualTo("2500");
        assertThat(Svg.format(4_500_000_0L)).isEqualTo("45.0M");
        assertThat(Svg.format(9_999)).isEqualTo("9999");
    }
}
