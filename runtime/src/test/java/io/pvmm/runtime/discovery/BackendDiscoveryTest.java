package io.pvmm.runtime.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import io.pvmm.runtime.fixtures.AlphaProvider;
import io.pvmm.runtime.fixtures.BadNameProvider;
import io.pvmm.runtime.fixtures.BetaProvider;
import io.pvmm.runtime.fixtures.ExplodingProvider;
import io.pvmm.runtime.fixtures.NotAProvider;
import io.pvmm.runtime.fixtures.OtherAlphaProvider;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Backend discovery in isolated class loaders")
class BackendDiscoveryTest {

    private static final String ALPHA = AlphaProvider.class.getName();

    @TempDir
    Path tmp;

    private static PvmmException selectWithDefaults(BackendRegistry registry, Path workingDirectory) {
        PvmmRuntime runtime = PvmmRuntime.of(registry);
        try {
            runtime.select(runtime.configure(ConfigInputs.none(workingDirectory)));
        } catch (PvmmException e) {
            return e;
        }
        throw new AssertionError("selection succeeded");
    }

    @Test
    @DisplayName("no provider at all is PVMM-E001, which says where discovery looked")
    void zeroProviders() throws Exception {
        Path empty = ProviderJars.jar(tmp.resolve("empty.jar"), List.of());
        try (URLClassLoader loader = ProviderJars.loader(empty)) {
            BackendRegistry registry = BackendDiscovery.discover(List.of(loader));

            assertThat(registry.backends()).isEmpty();
            assertThat(registry.failures()).isEmpty();
            PvmmException e = selectWithDefaults(registry, tmp);
            assertThat(e.error()).isEqualTo(PvmmError.NO_BACKEND);
            assertThat(e.getMessage()).startsWith("PVMM-E001 no backend provider found.")
                    .contains("Searched: the class path of class loader [" + empty + "]");
        }
    }

    @Test
    @DisplayName("one provider is found, with its jar as its location")
    void oneProvider() throws Exception {
        Path jar = ProviderJars.jar(tmp.resolve("alpha.jar"), List.of(AlphaProvider.class), ALPHA);
        try (URLClassLoader loader = ProviderJars.loader(jar)) {
            BackendRegistry registry = BackendDiscovery.discover(List.of(loader));

            assertThat(registry.failures()).isEmpty();
            assertThat(registry.backends()).singleElement().satisfies(b -> {
                assertThat(b.name()).isEqualTo("alpha");
                assertThat(b.location()).isEqualTo(jar.toString());
                assertThat(b.providerClass()).isEqualTo(ALPHA);
                assertThat(b.provider().getClass().getClassLoader()).isSameAs(loader);
            });
        }
    }

    @Test
    @DisplayName("a provider in a class directory has the directory as its location")
    void providerInDirectory() throws Exception {
        Path dir = ProviderJars.directory(tmp.resolve("classes"), List.of(AlphaProvider.class), ALPHA);
        try (URLClassLoader loader = ProviderJars.loader(dir)) {
            BackendRegistry registry = BackendDiscovery.discover(List.of(loader));

            assertThat(registry.backends()).singleElement()
                    .extracting(DiscoveredBackend::location).isEqualTo(dir.toString());
        }
    }

    @Test
    @DisplayName("two providers in two jars are both found, sorted by name, each with its own jar")
    void twoProviders() throws Exception {
        Path beta = ProviderJars.jar(tmp.resolve("beta.jar"), List.of(BetaProvider.class), BetaProvider.class.getName());
        Path alpha = ProviderJars.jar(tmp.resolve("alpha.jar"), List.of(AlphaProvider.class), ALPHA);
        try (URLClassLoader loader = ProviderJars.loader(beta, alpha)) {
            BackendRegistry registry = BackendDiscovery.discover(List.of(loader));

            assertThat(registry.backends()).extracting(DiscoveredBackend::nameAndLocation)
                    .containsExactly("alpha (" + alpha + ")", "beta (" + beta + ")");
        }
    }

    @Test
    @DisplayName("a constructor that throws is PVMM-E004 naming the class, the jar and the cause, and discovery goes on")
    void constructorThrows() throws Exception {
        Path jar = ProviderJars.jar(tmp.resolve("mixed.jar"), List.of(ExplodingProvider.class, AlphaProvider.class),
                ExplodingProvider.class.getName(), ALPHA);
        try (URLClassLoader loader = ProviderJars.loader(jar)) {
            BackendRegistry registry = BackendDiscovery.discover(List.of(loader));

            assertThat(registry.backends()).extracting(DiscoveredBackend::name).containsExactly("alpha");
            assertThat(registry.failures()).singleElement().satisfies(f -> {
                assertThat(f.providerClass()).isEqualTo(ExplodingProvider.class.getName());
                assertThat(f.location()).isEqualTo(jar.toString());
                assertThat(f.cause()).isInstanceOf(IllegalStateException.class).hasMessage(ExplodingProvider.MESSAGE);
                PvmmException e = f.toException();
                assertThat(e.error()).isEqualTo(PvmmError.PROVIDER_LOAD_FAILED);
                assertThat(e.getMessage())
                        .startsWith("PVMM-E004 backend provider " + ExplodingProvider.class.getName()
                                + " could not be loaded (from " + jar + ").")
                        .contains("Cause: java.lang.IllegalStateException: " + ExplodingProvider.MESSAGE)
                        .endsWith("See docs/errors.md#pvmm-e004, or run: pvmm explain PVMM-E004");
            });
        }
    }

    @Test
    @DisplayName("a service file naming a missing class is PVMM-E004 naming the class and the jar, and discovery goes on")
    void missingClass() throws Exception {
        String missing = ProviderJars.FIXTURES + "MissingProvider";
        Path jar = ProviderJars.jar(tmp.resolve("missing.jar"), List.of(AlphaProvider.class), missing, ALPHA);
        try (URLClassLoader loader = ProviderJars.loader(jar)) {
            BackendRegistry registry = BackendDiscovery.discover(List.of(loader));

            assertThat(registry.backends()).extracting(DiscoveredBackend::name).containsExactly("alpha");
            assertThat(registry.failures()).singleElement().satisfies(f -> {
                assertThat(f.providerClass()).isEqualTo(missing);
                assertThat(f.location()).isEqualTo(jar.toString());
                assertThat(f.toException().getMessage()).contains(missing, jar.toString(), "not found");
            });
        }
    }

    @Test
    @DisplayName("a service file naming a class that is not a BackendProvider is PVMM-E004 naming the class and the jar")
    void notASubtype() throws Exception {
        Path jar = ProviderJars.jar(tmp.resolve("wrong.jar"), List.of(NotAProvider.class, AlphaProvider.class),
                NotAProvider.class.getName(), ALPHA);
        try (URLClassLoader loader = ProviderJars.loader(jar)) {
            BackendRegistry registry = BackendDiscovery.discover(List.of(loader));

            assertThat(registry.backends()).extracting(DiscoveredBackend::name).containsExactly("alpha");
            assertThat(registry.failures()).singleElement().satisfies(f -> {
                assertThat(f.providerClass()).isEqualTo(NotAProvider.class.getName());
                assertThat(f.location()).isEqualTo(jar.toString());
                assertThat(f.toException().getMessage()).contains("not a subtype", jar.toString());
            });
        }
    }

    @Test
    @DisplayName("a provider whose name breaks the naming rule is PVMM-E004")
    void badName() throws Exception {
        Path jar = ProviderJars.jar(tmp.resolve("bad.jar"), List.of(BadNameProvider.class), BadNameProvider.class.getName());
        try (URLClassLoader loader = ProviderJars.loader(jar)) {
            BackendRegistry registry = BackendDiscovery.discover(List.of(loader));

            assertThat(registry.backends()).isEmpty();
            assertThat(registry.failures()).singleElement()
                    .satisfies(f -> assertThat(f.toException().getMessage()).contains("'Bad Name'", "lower-case", jar.toString()));
        }
    }

    @Test
    @DisplayName("when every registration fails, selection is PVMM-E001 listing the failures")
    void onlyBrokenProviders() throws Exception {
        Path jar = ProviderJars.jar(tmp.resolve("broken.jar"), List.of(ExplodingProvider.class), ExplodingProvider.class.getName());
        try (URLClassLoader loader = ProviderJars.loader(jar)) {
            PvmmException e = selectWithDefaults(BackendDiscovery.discover(List.of(loader)), tmp);

            assertThat(e.error()).isEqualTo(PvmmError.NO_BACKEND);
            assertThat(e.getMessage()).contains("failed to load (PVMM-E004)", ExplodingProvider.class.getName(), jar.toString());
        }
    }

    @Test
    @DisplayName("two providers named alike in two jars are PVMM-E003 naming both jars")
    void duplicateNamesInTwoJars() throws Exception {
        Path first = ProviderJars.jar(tmp.resolve("alpha-1.jar"), List.of(AlphaProvider.class), ALPHA);
        Path second = ProviderJars.jar(tmp.resolve("alpha-2.jar"), List.of(OtherAlphaProvider.class), OtherAlphaProvider.class.getName());
        try (URLClassLoader loader = ProviderJars.loader(first, second)) {
            BackendRegistry registry = BackendDiscovery.discover(List.of(loader));

            assertThat(registry.backends()).hasSize(2);
            assertThat(registry.duplicates()).containsOnlyKeys("alpha");
            assertThatThrownBy(registry::requireUniqueNames).isInstanceOfSatisfying(PvmmException.class, e -> {
                assertThat(e.error()).isEqualTo(PvmmError.DUPLICATE_BACKEND);
                assertThat(e.getMessage()).startsWith("PVMM-E003 more than one backend provider is named 'alpha'.")
                        .contains("- " + ALPHA + " (" + first + ")", "- " + OtherAlphaProvider.class.getName() + " (" + second + ")");
            });
            // selecting the clashing name is E003; the default (native) is simply not there, E002
            PvmmRuntime runtime = PvmmRuntime.of(registry);
            assertThatThrownBy(() -> runtime.select(runtime.configure(ConfigInputs.none(tmp).withOption("backend", "alpha", "--backend"))))
                    .isInstanceOfSatisfying(PvmmException.class, e -> assertThat(e.error()).isEqualTo(PvmmError.DUPLICATE_BACKEND));
            assertThat(selectWithDefaults(registry, tmp).error()).isEqualTo(PvmmError.UNKNOWN_BACKEND);
        }
    }

    @Test
    @DisplayName("the same class from two jars in two loaders is a duplicate name, PVMM-E003 naming both jars")
    void sameClassFromTwoJars() throws Exception {
        Path first = ProviderJars.jar(tmp.resolve("a.jar"), List.of(AlphaProvider.class), ALPHA);
        Path second = ProviderJars.jar(tmp.resolve("b.jar"), List.of(AlphaProvider.class), ALPHA);
        try (URLClassLoader one = ProviderJars.loader(first); URLClassLoader two = ProviderJars.loader(second)) {
            BackendRegistry registry = BackendDiscovery.discover(List.of(one, two));

            assertThatThrownBy(registry::requireUniqueNames).isInstanceOf(PvmmException.class)
                    .hasMessageContainingAll(first.toString(), second.toString());
        }
    }

    @Test
    @DisplayName("the same class seen from the same jar through two loaders counts once")
    void sameClassSameLocationDeduplicated() throws Exception {
        Path jar = ProviderJars.jar(tmp.resolve("alpha.jar"), List.of(AlphaProvider.class), ALPHA);
        try (URLClassLoader shared = ProviderJars.loader(jar);
             URLClassLoader pluginA = ProviderJars.loader(shared);
             URLClassLoader pluginB = ProviderJars.loader(shared)) {
            BackendRegistry registry = BackendDiscovery.discover(List.of(pluginA, pluginB));

            assertThat(registry.backends()).extracting(DiscoveredBackend::nameAndLocation).containsExactly("alpha (" + jar + ")");
            assertThat(registry.duplicates()).isEmpty();
        }
    }

    @Test
    @DisplayName("the default search uses the SPI's own class loader, never the thread's context class loader")
    void ignoresContextClassLoader() throws Exception {
        Path jar = ProviderJars.jar(tmp.resolve("beta.jar"), List.of(BetaProvider.class), BetaProvider.class.getName());
        Thread thread = Thread.currentThread();
        ClassLoader saved = thread.getContextClassLoader();
        try (URLClassLoader loader = ProviderJars.loader(jar)) {
            thread.setContextClassLoader(loader);
            assertThat(BackendDiscovery.discover().names()).doesNotContain("beta");
        } finally {
            thread.setContextClassLoader(saved);
        }
    }

    @Test
    @DisplayName("the default search finds the native backend on the test class path, with the place it came from")
    void defaultSearchFindsNative() {
        BackendRegistry registry = BackendDiscovery.discover();

        assertThat(registry.find("native")).hasValueSatisfying(b -> {
            assertThat(b.providerClass()).isEqualTo("io.pvmm.backend.nativeops.NativeProvider");
            assertThat(b.location()).contains("backend-native");
            assertThat(b.spiCompatible()).isTrue();
        });
        assertThat(registry.searched()).isEqualTo("the class path of class loader 'app'");
    }
}
