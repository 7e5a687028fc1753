package io.pvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendProvider;
import io.pvmm.tck.KitDeclaration;
import io.pvmm.tck.KitLauncher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The whole compatibility kit on every backend {@link java.util.ServiceLoader} finds on the class path,
 * each kit test reported as its own test under the backend's name. A backend that lands on the class
 * path joins without any change here: the kit is launched on each discovered provider
 * ({@link KitLauncher}) rather than through one subclass written per backend, and what each backend
 * declares to the kit comes from the backend's own module ({@link KitDeclaration}, in its test jar).
 */
@DisplayName("the compatibility kit, on every discovered backend")
class CompatibilityKitOnEveryBackendTest {

    @TestFactory
    @DisplayName("every discovered backend passes the kit")
    Stream<DynamicNode> everyBackendPassesTheKit() {
        return Backends.discovered().stream().map(p -> DynamicContainer.dynamicContainer(p.name(),
                Stream.of(p).flatMap(CompatibilityKitOnEveryBackendTest::kit)));
    }

    @Test
    @DisplayName("every kit declaration on the class path is for a discovered backend, so none is silently unused")
    void everyDeclarationIsForADiscoveredBackend() {
        assertThat(KitDeclaration.discovered().keySet())
                .isSubsetOf(Backends.discovered().stream().map(BackendProvider::name).toList())
                .contains("vmi", "xen", "shadow");
    }

    private static Stream<DynamicNode> kit(BackendProvider provider) {
        return KitLauncher.run(KitDeclaration.describe(provider)).stream()
                .map(r -> DynamicTest.dynamicTest(r.test(), () -> {
                    switch (r.status()) {
                        case PASSED -> assertThat(r.failure()).as("%s: %s passed", provider.name(), r.test()).isEmpty();
                        case SKIPPED -> Assumptions.abort(r.detail());
                        case FAILED -> throw new AssertionError(provider.name() + ": " + r.test() + ": " + r.detail(),
                                r.failure().orElse(null));
                        default -> throw new IllegalStateException(r.status().toString());
                    }
                }));
    }
}
