package io.pvmm.backend.nativeops;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.api.SpiVersion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The native provider")
class NativeProviderTest {

    private final NativeProvider provider = new NativeProvider();

    @Test
    @DisplayName("is named native, built against this SPI, and serves both paging modes")
    void describesItself() {
        assertThat(provider.name()).isEqualTo("native");
        assertThat(provider.spiVersion()).isEqualTo(SpiVersion.CURRENT);
        assertThat(provider.pagingModes()).containsExactlyInAnyOrder(PagingMode.values());
        assertThat(provider.settings()).isEmpty();
    }

    @Test
    @DisplayName("requires nothing of the guest's platform in either mode")
    void noPlatformRequirement() {
        for (PagingMode mode : PagingMode.values()) {
            assertThat(provider.platform(mode)).as(mode.configName()).isEqualTo(PlatformRequirements.NONE);
        }
    }
}
