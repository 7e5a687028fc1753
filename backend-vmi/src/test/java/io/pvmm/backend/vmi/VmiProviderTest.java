package io.pvmm.backend.vmi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.EntryBits;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The provider: name, modes, platform, settings, discovery. */
class VmiProviderTest {

    private final VmiProvider provider = new VmiProvider();

    @Test
    @DisplayName("the provider is registered for the module path and for the class path")
    void registeredBothWays() throws IOException {
        Module module = VmiProvider.class.getModule();
        if (module.isNamed()) {
            assertThat(module.getDescriptor().provides())
                    .anySatisfy(p -> {
                        assertThat(p.service()).isEqualTo(BackendProvider.class.getName());
                        assertThat(p.providers()).containsExactly(VmiProvider.class.getName());
                    });
        }
        String services = "META-INF/services/" + BackendProvider.class.getName();
        try (InputStream in = module.isNamed() ? module.getResourceAsStream(services)
                : VmiProvider.class.getClassLoader().getResourceAsStream(services)) {
            assertThat(in).as(services).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains(VmiProvider.class.getName());
        }
    }

    @Test
    @DisplayName("it names itself, says what it models and was built against the current SPI for both modes")
    void describesItself() {
        assertThat(provider.name()).isEqualTo("vmi");
        assertThat(provider.description()).contains("VMI").contains("shadow");
        assertThat(provider.spiVersion()).isEqualTo(SpiVersion.CURRENT);
        assertThat(provider.pagingModes()).containsExactlyInAnyOrder(PagingMode.values());
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("it allows PSE and PGE, shares the PAE kernel pmd and reserves the top 16 MiB for the ROM")
    void platform(PagingMode mode) {
        PlatformRequirements p = provider.platform(mode);
        assertThat(p.allowsPse()).isTrue();
        assertThat(p.allowsPge()).isTrue();
        assertThat(p.unsharedKernelPmd()).isFalse();
        assertThat(p.reservedTop()).isEqualTo(16L << 20);
        assertThat(p.describe()).contains("0xFF000000");
    }

    @Test
    @DisplayName("it accepts p2m-seed (default 7) and on-violation (throw or record, default throw)")
    void settings() {
        assertThat(provider.settings()).extracting(SettingSpec::key).containsExactly("p2m-seed", "on-violation");
        BackendSettings defaults = BackendSettings.defaults(provider.settings());
        assertThat(defaults.getLong("p2m-seed")).isEqualTo(7);
        assertThat(defaults.get("on-violation")).isEqualTo("throw");
        assertThatThrownBy(() -> BackendSettings.of(provider.settings(), Map.of("on-violation", "ignore")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("throw, record");
    }

    @Test
    @DisplayName("p2m-seed changes where frames live in machine memory")
    void seedChangesTranslation() {
        long[][] shadows = new long[2][];
        long[] seeds = {7, 8};
        for (int i = 0; i < 2; i++) {
            TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL, 1, Map.of("p2m-seed", Long.toString(seeds[i])));
            VmiOps ops = guest.ops();
            ops.allocPt(0x100);
            int blocks = (int) (TestGuest.FRAMES >> P2m.BLOCK_SHIFT);
            shadows[i] = new long[blocks];
            for (int b = 0; b < blocks; b++) { // one pte into each 4 MiB block of the guest
                ops.setPte(guest.pa(0x100, b), guest.entry(((long) b << P2m.BLOCK_SHIFT) + 5, EntryBits.PAGE_SHARED));
                shadows[i][b] = ops.pager().shadowOf(0x100).get(b);
            }
        }
        assertThat(shadows[0]).isNotEqualTo(shadows[1]);
    }

    @Test
    @DisplayName("creating the provider does no work; each create gives a new backend")
    void createGivesFreshBackends() {
        TestGuest guest = new TestGuest(PagingMode.PAE);
        VmiOps a = guest.ops();
        VmiOps b = guest.ops();
        a.allocPt(0x100);
        assertThat(a).isNotSameAs(b);
        assertThat(b.counters()).containsEntry("shadows-live", 0L);
    }
}
