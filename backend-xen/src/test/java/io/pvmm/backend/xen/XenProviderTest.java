package io.pvmm.backend.xen;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.api.SettingSpec;
import io.pvmm.api.SpiVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class XenProviderTest {

    private final XenProvider provider = new XenProvider();

    @Test
    @DisplayName("the provider is named xen, built against the current SPI, and supports both paging modes")
    void identity() {
        assertThat(provider.name()).isEqualTo("xen");
        assertThat(provider.description()).isNotBlank();
        assertThat(provider.spiVersion()).isEqualTo(SpiVersion.CURRENT);
        assertThat(provider.pagingModes()).containsExactlyInAnyOrder(PagingMode.values());
    }

    @Test
    @DisplayName("2-level: no PSE, no PGE, the top from 0xFC000000 is Xen's, kernel 2.6.23 or later (the first pv-ops Xen guest)")
    void platformTwoLevel() {
        assertThat(provider.platform(PagingMode.TWO_LEVEL))
                .isEqualTo(PlatformRequirements.NONE.withoutPse().withoutPge().reservingFrom(0xFC000000L)
                        .requiringKernel(KernelVersion.V2_6_23));
    }

    @Test
    @DisplayName("PAE: no PSE, no PGE, an unshared kernel pmd, the top from 0xF5800000 is Xen's, kernel 2.6.23 or later")
    void platformPae() {
        assertThat(provider.platform(PagingMode.PAE)).isEqualTo(PlatformRequirements.NONE.withoutPse().withoutPge()
                .withUnsharedKernelPmd().reservingFrom(0xF5800000L).requiringKernel(KernelVersion.V2_6_23));
    }

    @Test
    @DisplayName("settings: p2m-seed and lazy-batching, with their defaults")
    void settings() {
        BackendSettings defaults = BackendSettings.defaults(provider.settings());
        assertThat(provider.settings()).extracting(SettingSpec::key).containsExactly("p2m-seed", "lazy-batching");
        assertThat(defaults.getLong("p2m-seed")).isEqualTo(XenProvider.DEFAULT_P2M_SEED);
        assertThat(defaults.getBoolean("lazy-batching")).isTrue();
    }

    @Test
    @DisplayName("the counters come in their documented order, all zero on a fresh backend")
    void counterNames() {
        TestContext context = new TestContext(PagingMode.TWO_LEVEL, 64, 1, Map.of());

        assertThat(provider.create(context).counters()).containsOnlyKeys(
                "hypercalls", "multicalls", "mmu-update-entries", "mmuext-ops", "update-va-mapping", "emulated-writes",
                "entries-validated", "pins", "unpins", "typed-frames", "typed-frames-peak")
                .allSatisfy((k, v) -> assertThat(v).isZero());
        assertThat(provider.create(context).counters().keySet()).first().isEqualTo("hypercalls");
    }

    @Test
    @DisplayName("the provider is registered for ServiceLoader on the class path and the module path")
    void registered() throws IOException {
        try (InputStream in = XenProvider.class.getResourceAsStream("/META-INF/services/" + BackendProvider.class.getName())) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains(XenProvider.class.getName());
        }
        Module module = XenProvider.class.getModule();
        if (module.isNamed()) {
            assertThat(module.getDescriptor().provides())
                    .anySatisfy(p -> assertThat(p.providers()).contains(XenProvider.class.getName()));
        }
    }
}
