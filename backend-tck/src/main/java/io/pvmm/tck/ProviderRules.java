package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.api.SettingSpec;
import io.pvmm.api.SpiVersion;
import io.pvmm.guest.kernel.GuestMachine;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The provider's contract: the service the runtime finds, lists and asks to create the backend. */
abstract class ProviderRules extends KitRules {

    /** What the runtime accepts as a backend name. */
    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

    /** Constructions the cheap-constructor rule times, and the bound on their total. */
    private static final int CONSTRUCTIONS = 200;
    private static final long CONSTRUCTION_BUDGET_MILLIS = 2_000;

    ProviderRules(Supplier<BackendUnderTest> backend) {
        super(backend);
    }

    private BackendProvider provider() {
        return backend().provider();
    }

    private BackendProvider freshProvider() throws ReflectiveOperationException {
        return (BackendProvider) provider().getClass().getConstructor().newInstance();
    }

    @Test
    @DisplayName("has a public no-argument constructor that does no work")
    void constructsCheaplyWithNoArguments() throws ReflectiveOperationException {
        Class<?> type = provider().getClass();
        assertThat(Modifier.isPublic(type.getModifiers())).as("%s is public", type.getName()).isTrue();
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new AssertionError(type.getName() + " has no public no-argument constructor; ServiceLoader needs one", e);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < CONSTRUCTIONS; i++) {
            assertThat(constructor.newInstance()).isInstanceOf(BackendProvider.class);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(millis).as("%d constructions of %s took %d ms: do the work in create(), not in the constructor",
                CONSTRUCTIONS, type.getSimpleName(), millis).isLessThan(CONSTRUCTION_BUDGET_MILLIS);
    }

    @Test
    @DisplayName("has a stable lower-case name: a letter, then letters, digits and dashes")
    void hasAStableLowerCaseName() throws ReflectiveOperationException {
        String name = provider().name();
        assertThat(name).as("name()").isNotNull().matches(NAME);
        assertThat(provider().name()).as("name() on a second call").isEqualTo(name);
        assertThat(freshProvider().name()).as("name() of a new instance").isEqualTo(name);
    }

    @Test
    @DisplayName("describes itself in one line")
    void describesItselfInOneLine() {
        assertThat(provider().description()).as("description()").isNotBlank().doesNotContain("\n", "\r");
    }

    @Test
    @DisplayName("was built against an SPI version this runtime can run")
    void wasBuiltAgainstACompatibleSpiVersion() {
        String version = provider().spiVersion();
        assertThat(SpiVersion.isCompatible(version))
                .as("spiVersion() %s against the kit's SPI %s: same major version, minor not newer", version, SpiVersion.CURRENT)
                .isTrue();
    }

    /**
     * The runtime refuses to create the backend in a mode it does not declare, with {@code PVMM-E006}
     * naming the declared ones; the kit skips such modes.
     */
    @Test
    @DisplayName("declares at least one paging mode, the same on every call")
    void declaresPagingModes() throws ReflectiveOperationException {
        Set<PagingMode> modes = provider().pagingModes();
        assertThat(modes).as("pagingModes()").isNotNull().isNotEmpty().doesNotContainNull();
        assertThat(provider().pagingModes()).as("pagingModes() on a second call").isEqualTo(modes);
        assertThat(freshProvider().pagingModes()).as("pagingModes() of a new instance").isEqualTo(modes);
    }

    @Test
    @DisplayName("states its platform requirements for every declared mode, the same on every call")
    void statesItsPlatformForEveryDeclaredMode() throws ReflectiveOperationException {
        BackendProvider other = freshProvider();
        for (PagingMode mode : modes()) {
            PlatformRequirements platform = provider().platform(mode);
            assertThat(platform).as("platform(%s)", mode.configName()).isNotNull();
            assertThat(provider().platform(mode)).as("platform(%s) on a second call", mode.configName()).isEqualTo(platform);
            assertThat(other.platform(mode)).as("platform(%s) of a new instance", mode.configName()).isEqualTo(platform);
            assertThat(platform.reservedTop() % mode.pmdSize())
                    .as("platform(%s).reservedTop() %d is a multiple of the large-page size", mode.configName(), platform.reservedTop())
                    .isZero();
            if (mode == PagingMode.TWO_LEVEL) {
                assertThat(platform.unsharedKernelPmd()).as("an unshared kernel pmd means nothing in two-level mode").isFalse();
            }
        }
    }

    @Test
    @DisplayName("declares valid settings whose defaults are accepted")
    void declaresValidSettings() {
        List<SettingSpec> specs = provider().settings();
        assertThat(specs).as("settings()").isNotNull().doesNotContainNull();
        Set<String> keys = new HashSet<>();
        for (SettingSpec spec : specs) {
            assertThat(keys.add(spec.key())).as("setting '%s' declared once", spec.key()).isTrue();
            assertThat(spec.description()).as("description of setting '%s'", spec.key()).isNotBlank();
            assertThat(spec.problem(spec.defaultValue())).as("default of setting '%s'", spec.key()).isEmpty();
        }
        assertThat(BackendSettings.defaults(specs).asMap().keySet()).as("settings with every default applied")
                .containsExactlyElementsOf(specs.stream().map(SettingSpec::key).toList());
        assertThat(provider().settings()).as("settings() on a second call").isEqualTo(specs);
    }

    @Test
    @DisplayName("creates a new backend for every guest, in every declared mode, with its default settings")
    void createsANewBackendForEveryGuest() {
        for (PagingMode mode : modes()) {
            ParavirtOps first = create(mode, BackendSettings.defaults(provider().settings()));
            ParavirtOps second = create(mode, BackendSettings.of(provider().settings(), backend().settings()));
            if (first == null || second == null) {
                fail("create() returned null in " + mode.configName() + " mode");
            }
            assertThat(second).as("the backend created for a second guest in %s mode", mode.configName()).isNotSameAs(first);
        }
    }

    private ParavirtOps create(PagingMode mode, BackendSettings settings) {
        GuestMachine machine = GuestMachine.create(mode, KitRules.GUEST, provider().platform(mode));
        return provider().create(machine.backendContext(settings));
    }
}
