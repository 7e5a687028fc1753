package io.pvmm.runtime.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.ConfigurationException;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Provider;
import com.google.inject.Stage;
import com.google.inject.TypeLiteral;
import io.pvmm.api.BackendProvider;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import io.pvmm.runtime.fixtures.CountingProvider;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Guice wiring of the backends")
class BackendWiringTest {

    private final CountingProvider alpha = CountingProvider.named("alpha");
    private final CountingProvider beta = CountingProvider.named("beta");
    private final BackendWiring wiring = new BackendWiring(BackendRegistry.of(List.of(
            DiscoveredBackend.describe(alpha, "/a.jar"), DiscoveredBackend.describe(beta, "/b.jar")), List.of(), "test"));

    /** Not bound anywhere, with an injectable constructor: a lenient injector would build it. */
    static final class Unbound {
        @com.google.inject.Inject
        Unbound() {
        }
    }

    @Test
    @DisplayName("binds every provider by name, and building the map creates no backend")
    void mapBinderByName() {
        Injector injector = wiring.injector();

        Map<String, Provider<BackendProvider>> providers =
                injector.getInstance(Key.get(new TypeLiteral<Map<String, Provider<BackendProvider>>>() { }));

        assertThat(providers).containsOnlyKeys("alpha", "beta");
        assertThat(providers.get("beta").get()).isSameAs(beta);
        assertThat(alpha.creates() + beta.creates()).isZero();
    }

    @Test
    @DisplayName("the injector is strict: production stage, and nothing is bound just in time")
    void strictInjector() {
        Injector injector = wiring.injector();

        assertThat(injector.getInstance(Stage.class)).isEqualTo(Stage.PRODUCTION);
        assertThatThrownBy(() -> injector.getInstance(Unbound.class))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("Explicit bindings are required");
    }

    @Test
    @DisplayName("the injector is built once, on first use")
    void builtOnce() {
        assertThat(wiring.injector()).isSameAs(wiring.injector());
    }
}
