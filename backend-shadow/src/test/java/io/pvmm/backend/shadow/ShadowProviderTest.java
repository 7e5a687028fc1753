package io.pvmm.backend.shadow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.BackendProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import io.pvmm.api.PagingMode;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.api.SettingSpec;
import io.pvmm.api.SpiVersion;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ShadowProviderTest {

    private final ShadowProvider provider = new ShadowProvider();

    @Test
    @DisplayName("the provider is registered for the module path and for the class path, under the name shadow")
    void registeredBothWays() throws IOException {
        Module module = ShadowProvider.class.getModule();
        if (module.isNamed()) {
            assertThat(module.getDescriptor().provides()).anySatisfy(p -> {
                assertThat(p.service()).isEqualTo(BackendProvider.class.getName());
                assertThat(p.providers()).containsExactly(ShadowProvider.class.getName());
            });
        }
        String services = "META-INF/services/" + BackendProvider.class.getName();
        try (InputStream in = module.isNamed() ? module.getResourceAsStream(services)
                : ShadowProvider.class.getClassLoader().getResourceAsStream(services)) {
            assertThat(in).as(services).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains(ShadowProvider.class.getName());
        }
        assertThat(provider.name()).isEqualTo("shadow");
    }

    @Test
    @DisplayName("an unmodified guest: both modes, no platform requirement, built against SPI 1.1")
    void declaresWhatItModels() {
        assertThat(provider.pagingModes()).isEqualTo(EnumSet.allOf(PagingMode.class));
        for (PagingMode m : PagingMode.values()) {
            assertThat(provider.platform(m)).isEqualTo(PlatformRequirements.NONE);
        }
        assertThat(provider.spiVersion()).isEqualTo(SpiVersion.CURRENT).isEqualTo("1.1");
    }

    @Test
    @DisplayName("settings: the p2m seed, the cache limit and the out-of-sync option, with their defaults")
    void settings() {
        assertThat(provider.settings()).extracting(SettingSpec::key)
                .containsExactly("p2m-seed", "cache-roots", "out-of-sync");
        assertThat(provider.settings()).extracting(SettingSpec::defaultValue)
                .containsExactly("7", Integer.toString(ShadowProvider.DEFAULT_CACHE_ROOTS), "false");
    }

    @Test
    @DisplayName("a cache limit below one root is refused when the backend is created")
    void refusesEmptyCache() {
        assertThatThrownBy(() -> new ShadowGuest(PagingMode.TWO_LEVEL, Map.of(ShadowProvider.CACHE_ROOTS, "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cache-roots");
    }
}
