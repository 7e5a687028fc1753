package io.pvmm.runtime.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import io.pvmm.api.BackendProvider;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import java.util.List;

/**
 * Binds every discovered provider by name in a {@code MapBinder<String, BackendProvider>}, and the
 * {@link BackendCreator} that builds the chosen one. Names must already be unique: the registry
 * checks that before any injector is built, so that the error can name both jars.
 */
final class BackendsModule extends AbstractModule {

    private final List<DiscoveredBackend> backends;

    BackendsModule(List<DiscoveredBackend> backends) {
        this.backends = List.copyOf(backends);
    }

    @Override
    protected void configure() {
        MapBinder<String, BackendProvider> byName = MapBinder.newMapBinder(binder(), String.class, BackendProvider.class);
        for (DiscoveredBackend backend : backends) {
            byName.addBinding(backend.name()).toInstance(backend.provider());
        }
        bind(BackendCreator.class);
    }
}
