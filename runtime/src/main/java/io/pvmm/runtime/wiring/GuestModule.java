package io.pvmm.runtime.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.pvmm.api.BackendContext;
import io.pvmm.api.ParavirtOps;
import io.pvmm.runtime.discovery.DiscoveredBackend;

/**
 * The bindings of one guest, installed in a child injector: its {@link BackendContext} and the
 * backend built for it.
 */
final class GuestModule extends AbstractModule {

    private final DiscoveredBackend backend;
    private final BackendContext context;

    GuestModule(DiscoveredBackend backend, BackendContext context) {
        this.backend = backend;
        this.context = context;
    }

    @Override
    protected void configure() {
        bind(BackendContext.class).toInstance(context);
    }

    @Provides
    ParavirtOps backend(BackendCreator creator, BackendContext guestContext) {
        return creator.create(backend, guestContext);
    }
}
