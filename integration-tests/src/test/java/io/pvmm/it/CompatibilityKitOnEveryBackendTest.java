package io.pvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendProvider;
import io.pvmm.tck.BackendUnderTest;
import io.pvmm.tck.KitLauncher;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The whole compatibility kit on every backend {@link java.util.ServiceLoader} finds on the class path,
 * each kit test reported as its own test under the backend's name. A backend that lands on the class
 * path joins without any change here: the kit is launched on each discovered provider
 * ({@link KitLauncher}) rather than through one subclass written per backend.
 */
@DisplayName("the compatibility kit, on every discovered backend")
class CompatibilityKitOnEveryBackendTest {

    @TestFactory
    @DisplayName("every discovered backend passes the kit")
    Stream<DynamicNode> everyBackendPassesTheKit() {
        return Backends.discovered().stream().map(p -> DynamicContainer.dynamicContainer(p.name(),
                Stream.of(p).flatMap(CompatibilityKitOnEveryBackendTest::kit)));
    }

    private static Stream<DynamicNode> kit(BackendProvider provider) {
        Set<io.pvmm.tck.Behavior> declared = KitBehaviors.of(provider.name());
        return KitLauncher.run(new BackendUnderTest(provider, Map.of(), declared::contains)).stream()
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
