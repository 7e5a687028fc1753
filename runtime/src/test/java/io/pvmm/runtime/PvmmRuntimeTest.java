package io.pvmm.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendProvider;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.SettingSpec;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.ConfigValue;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.SettingNamespace;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import io.pvmm.runtime.fixtures.CountingProvider;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Selecting and building a backend")
class PvmmRuntimeTest {

    @TempDir
    Path dir;

    private static PvmmRuntime runtimeOf(BackendProvider... providers) {
        List<DiscoveredBackend> backends = Arrays.stream(providers)
                .map(p -> DiscoveredBackend.describe(p, "/fixtures/" + p.name() + ".jar")).toList();
        return PvmmRuntime.of(BackendRegistry.of(backends, List.of(), "the fixtures"));
    }

    private ConfigInputs inputs() {
        return ConfigInputs.none(dir);
    }

    private static PvmmException selectionFailure(PvmmRuntime runtime, ConfigInputs inputs) {
        Configuration config = runtime.configure(inputs);
        try {
            runtime.select(config);
        } catch (PvmmException e) {
            return e;
        }
        throw new AssertionError("selection succeeded");
    }

    /** A guest context with only memory, enough for a backend that stores writes. */
    private static BackendContext guestWithMemory(GuestMemory memory) {
        return new BackendContext() {
            @Override
            public GuestMemory memory() {
                return memory;
            }

            @Override
            public int vcpus() {
                return 2;
            }
        };
    }

    @Test
    @DisplayName("the configured backend is selected, with the deciding source and the values it shadowed")
    void selectsConfiguredBackend() {
        PvmmRuntime runtime = runtimeOf(CountingProvider.named("native"), CountingProvider.named("xen"));

        Selection selection = runtime.select(runtime.configure(inputs()
                .withOption("backend", "xen", "--backend")
                .withEnvironment(Map.of("PVMM_BACKEND", "native"))));

        assertThat(selection.name()).isEqualTo("xen");
        assertThat(selection.location()).isEqualTo("/fixtures/xen.jar");
        assertThat(selection.decision().source().description()).isEqualTo("--backend option");
        assertThat(selection.shadowed()).extracting(ConfigValue::describe)
                .containsExactly("native (from environment PVMM_BACKEND)", "native (from default)");
        assertThat(selection.mode()).isEqualTo(PagingMode.TWO_LEVEL);
    }

    @Test
    @DisplayName("an unknown name is PVMM-E002 listing the discovered backends with their jars, and the closest name")
    void unknownBackend() {
        PvmmRuntime runtime = runtimeOf(CountingProvider.named("native"), CountingProvider.named("vmi"), CountingProvider.named("xen"));

        PvmmException e = selectionFailure(runtime, inputs().withSystemProperties(Map.of("pvmm.backend", "xne")));

        assertThat(e.error()).isEqualTo(PvmmError.UNKNOWN_BACKEND);
        assertThat(e.exitCode()).isEqualTo(3);
        assertThat(e.getMessage()).isEqualTo("PVMM-E002 unknown backend 'xne' (from system property pvmm.backend).\n"
                + "  Discovered: native (/fixtures/native.jar), vmi (/fixtures/vmi.jar), xen (/fixtures/xen.jar). Did you mean 'xen'?\n"
                + "  See docs/errors.md#pvmm-e002, or run: pvmm explain PVMM-E002");
    }

    @Test
    @DisplayName("a provider built against another major SPI version is PVMM-E007 naming both versions")
    void incompatibleSpi() {
        PvmmRuntime runtime = runtimeOf(CountingProvider.named("acme").spi("2.0"));

        PvmmException e = selectionFailure(runtime, inputs().withOption("backend", "acme", "--backend"));

        assertThat(e.error()).isEqualTo(PvmmError.INCOMPATIBLE_SPI_VERSION);
        assertThat(e.getMessage()).contains("built against SPI 2.0", "this runtime's SPI 1.1",
                "major version equals the runtime's and its minor version is not newer", "/fixtures/acme.jar");
    }

    @Test
    @DisplayName("a newer minor SPI version is refused too")
    void newerMinorSpi() {
        PvmmRuntime runtime = runtimeOf(CountingProvider.named("acme").spi("1.2")); // one minor past the runtime's 1.1

        assertThat(selectionFailure(runtime, inputs().withOption("backend", "acme", "--backend")).error())
                .isEqualTo(PvmmError.INCOMPATIBLE_SPI_VERSION);
    }

    @Test
    @DisplayName("an unsupported paging mode is PVMM-E006 saying which modes the backend supports")
    void unsupportedMode() {
        PvmmRuntime runtime = runtimeOf(CountingProvider.named("acme").modes(PagingMode.TWO_LEVEL));

        PvmmException e = selectionFailure(runtime, inputs().withOption("backend", "acme", "--backend")
                .withOption("mode", "pae", "--mode"));

        assertThat(e.error()).isEqualTo(PvmmError.UNSUPPORTED_PAGING_MODE);
        assertThat(e.getMessage()).startsWith("PVMM-E006 backend 'acme' does not support paging mode 'pae' (from --mode option).")
                .contains("It supports: two-level.");
    }

    @Test
    @DisplayName("checks run in order: SPI version before paging mode, paging mode before settings")
    void checkOrder() {
        PvmmRuntime runtime = runtimeOf(
                CountingProvider.named("old").spi("0.9").modes(PagingMode.TWO_LEVEL),
                CountingProvider.named("narrow").modes(PagingMode.TWO_LEVEL).settings(SettingSpec.bool("fast", false, "go fast")));

        assertThat(selectionFailure(runtime, inputs().withOption("backend", "old", "--backend").withOption("mode", "pae", "--mode"))
                .error()).isEqualTo(PvmmError.INCOMPATIBLE_SPI_VERSION);
        assertThat(selectionFailure(runtime, inputs().withOption("backend", "narrow", "--backend").withOption("mode", "pae", "--mode")
                .withOption("narrow.fast", "maybe", "--set")).error()).isEqualTo(PvmmError.UNSUPPORTED_PAGING_MODE);
    }

    @Test
    @DisplayName("an unknown setting of the chosen backend is PVMM-E008 with a suggestion")
    void unknownBackendSetting() {
        PvmmRuntime runtime = runtimeOf(CountingProvider.named("vmi").settings(SettingSpec.longValue("p2m-seed", 7, "seed")));

        assertThatThrownBy(() -> runtime.configure(inputs().withOption("vmi.p2m-sed", "3", "--set")))
                .isInstanceOfSatisfying(PvmmException.class, e -> {
                    assertThat(e.error()).isEqualTo(PvmmError.UNKNOWN_SETTING);
                    assertThat(e.getMessage()).contains("Did you mean 'vmi.p2m-seed'?");
                });
    }

    @Test
    @DisplayName("an invalid value of the chosen backend's setting is PVMM-E009; another backend's is not checked")
    void invalidBackendSetting() {
        PvmmRuntime runtime = runtimeOf(
                CountingProvider.named("native"),
                CountingProvider.named("vmi").settings(SettingSpec.longValue("p2m-seed", 7, "seed")));
        ConfigInputs badSeed = inputs().withEnvironment(Map.of("PVMM_VMI_P2M_SEED", "seven"));

        PvmmException e = selectionFailure(runtime, badSeed.withOption("backend", "vmi", "--backend"));
        assertThat(e.error()).isEqualTo(PvmmError.INVALID_SETTING_VALUE);
        assertThat(e.getMessage()).startsWith("PVMM-E009 invalid value 'seven' for setting 'vmi.p2m-seed' (from environment PVMM_VMI_P2M_SEED).")
                .contains("accepted: decimal or 0x-prefixed hexadecimal");

        assertThat(runtime.select(runtime.configure(badSeed)).name()).isEqualTo("native");
    }

    @Test
    @DisplayName("a create() that throws is PVMM-E005 naming the backend, its provider and the cause")
    void createThrows() {
        CountingProvider broken = CountingProvider.named("broken").creating(c -> {
            throw new IllegalStateException("no hypervisor here");
        });
        PvmmRuntime runtime = runtimeOf(broken);
        Selection selection = runtime.select(runtime.configure(inputs().withOption("backend", "broken", "--backend")));

        assertThatThrownBy(() -> runtime.createBackend(selection, PagingMode.TWO_LEVEL, guestWithMemory(null)))
                .isInstanceOfSatisfying(PvmmException.class, e -> {
                    assertThat(e.error()).isEqualTo(PvmmError.BACKEND_CREATE_FAILED);
                    assertThat(e.getMessage()).startsWith("PVMM-E005 backend 'broken' could not be created")
                            .contains("Cause: java.lang.IllegalStateException: no hypervisor here",
                                    CountingProvider.class.getName() + " (/fixtures/broken.jar)");
                    assertThat(e.getCause()).hasMessage("no hypervisor here");
                });
    }

    @Test
    @DisplayName("a create() that returns null is PVMM-E005")
    void createReturnsNull() {
        PvmmRuntime runtime = runtimeOf(CountingProvider.named("null").creating(c -> null));
        Selection selection = runtime.select(runtime.configure(inputs().withOption("backend", "null", "--backend")));

        assertThatThrownBy(() -> runtime.createBackend(selection, PagingMode.TWO_LEVEL, guestWithMemory(null)))
                .isInstanceOf(PvmmException.class).hasMessageContaining("create() returned null");
    }

    @Test
    @DisplayName("only the chosen backend's create() is called, once per guest")
    void onlyChosenBackendIsCreated() {
        CountingProvider alpha = CountingProvider.named("alpha");
        CountingProvider beta = CountingProvider.named("beta");
        CountingProvider gamma = CountingProvider.named("gamma");
        PvmmRuntime runtime = runtimeOf(alpha, beta, gamma);
        Selection selection = runtime.select(runtime.configure(inputs().withOption("backend", "beta", "--backend")));

        ParavirtOps first = runtime.createBackend(selection, PagingMode.TWO_LEVEL, guestWithMemory(null));
        ParavirtOps second = runtime.createBackend(selection, PagingMode.TWO_LEVEL, guestWithMemory(null));

        assertThat(first).isNotNull().isNotSameAs(second);
        assertThat(beta.creates()).isEqualTo(2);
        assertThat(alpha.creates()).isZero();
        assertThat(gamma.creates()).isZero();
    }

    @Test
    @DisplayName("the backend sees the guest's context, with its checked settings in place of the guest's")
    void contextCarriesSettings() {
        CountingProvider vmi = CountingProvider.named("vmi").settings(
                SettingSpec.longValue("p2m-seed", 7, "seed"), SettingSpec.bool("strict", true, "strict"));
        PvmmRuntime runtime = runtimeOf(vmi);
        Selection selection = runtime.select(runtime.configure(inputs()
                .withOption("backend", "vmi", "--backend").withOption("vmi.p2m-seed", "0x10", "--set")));
        GuestMemory memory = new GuestMemory() {
            @Override
            public long readEntry(long entryPa) {
                return 0;
            }

            @Override
            public void writeEntry(long entryPa, long value) {
            }

            @Override
            public void clearFrame(long pfn) {
            }

            @Override
            public int entryBytes() {
                return 4;
            }

            @Override
            public long frames() {
                return 16;
            }

            @Override
            public boolean isFree(long pfn) {
                return false;
            }
        };

        runtime.createBackend(selection, PagingMode.TWO_LEVEL, guestWithMemory(memory));

        BackendContext seen = vmi.lastContext();
        assertThat(seen.settings().getLong("p2m-seed")).isEqualTo(16);
        assertThat(seen.settings().getBoolean("strict")).isTrue();
        assertThat(seen.memory()).isSameAs(memory);
        assertThat(seen.vcpus()).isEqualTo(2);
    }

    @Test
    @DisplayName("building for a guest in a mode the backend lacks is PVMM-E006, and nothing is created")
    void createChecksGuestMode() {
        CountingProvider narrow = CountingProvider.named("narrow").modes(PagingMode.TWO_LEVEL);
        PvmmRuntime runtime = runtimeOf(narrow);
        Selection selection = runtime.select(runtime.configure(inputs().withOption("backend", "narrow", "--backend")));

        assertThatThrownBy(() -> runtime.createBackend(selection, PagingMode.PAE, guestWithMemory(null)))
                .isInstanceOfSatisfying(PvmmException.class, e -> {
                    assertThat(e.error()).isEqualTo(PvmmError.UNSUPPORTED_PAGING_MODE);
                    assertThat(e.getMessage()).contains("(from the guest's paging mode)");
                });
        assertThat(narrow.creates()).isZero();
    }

    @Test
    @DisplayName("two providers with one name make that name PVMM-E003 before any injector is built")
    void duplicateNames() {
        PvmmRuntime runtime = runtimeOf(CountingProvider.named("xen"), CountingProvider.named("xen"));

        PvmmException e = selectionFailure(runtime, inputs().withOption("backend", "xen", "--backend"));

        assertThat(e.error()).isEqualTo(PvmmError.DUPLICATE_BACKEND);
    }

    @Test
    @DisplayName("a clash makes only its name ambiguous: another backend is still selected and created")
    void clashLeavesOtherNamesSelectable() {
        CountingProvider nat = CountingProvider.named("native");
        PvmmRuntime runtime = runtimeOf(CountingProvider.named("xen"), CountingProvider.named("xen"), nat);

        Selection selection = runtime.select(runtime.configure(inputs().withOption("backend", "native", "--backend")));
        runtime.createBackend(selection, selection.mode(), guestWithMemory(null));

        assertThat(selection.backend().name()).isEqualTo("native");
        assertThat(nat.creates()).isEqualTo(1);
    }

    @Test
    @DisplayName("a registered namespace is accepted in configuration and read with its defaults")
    void registeredNamespace() {
        PvmmRuntime runtime = runtimeOf(CountingProvider.named("native"))
                .withNamespace(new SettingNamespace("guest", List.of(SettingSpec.longValue("vcpus", 1, "vCPUs"))));

        Configuration config = runtime.configure(inputs().withSystemProperties(Map.of("pvmm.guest.vcpus", "2")));

        assertThat(config.settings("guest").getLong("vcpus")).isEqualTo(2);
        assertThat(runtime.registry().names()).containsExactly("native");
        assertThatThrownBy(() -> runtime.withNamespace(new SettingNamespace("guest", List.of())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> runtime.withNamespace(new SettingNamespace("mode", List.of())))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
