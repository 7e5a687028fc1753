package io.pvmm.runtime.wiring;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.spi.Message;
import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.ParavirtOps;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.util.List;
import java.util.Map;

/**
 * Wires backends with Guice. One strict injector ({@link Stage#PRODUCTION}, explicit bindings only,
 * no circular proxies, {@code @Inject} required on constructors) holds every discovered provider in
 * a {@code MapBinder} by name; each guest gets a child injector that binds its
 * {@link BackendContext}, and only the chosen backend's {@code create} is called.
 *
 * <p>The injector is built on first use, so listing backends never pays for Guice. Thread-safe.
 */
public final class BackendWiring {

    private final BackendRegistry registry;
    private Injector injector;

    /**
     * Prepares the wiring of a registry's providers; builds nothing yet.
     *
     * @param registry the discovered providers, names already unique
     */
    public BackendWiring(BackendRegistry registry) {
        this.registry = registry;
    }

    /**
     * Builds the backend for one guest, in a child injector that binds the guest's context wrapped
     * so that {@code settings()} answers {@code settings}.
     *
     * @param backend      the chosen backend, one of the registry's
     * @param settings     its checked settings
     * @param guestContext the guest's memory, layout and vCPUs
     * @return the new backend
     * @throws PvmmException {@link PvmmError#BACKEND_CREATE_FAILED} if the provider's {@code create}
     *                       throws or returns {@code null}
     */
    public ParavirtOps create(DiscoveredBackend backend, BackendSettings settings, BackendContext guestContext) {
        Injector guest = injector().createChildInjector(new StrictModule(),
                new GuestModule(backend, new SettingsContext(guestContext, settings)));
        try {
            return guest.getInstance(ParavirtOps.class);
        } catch (ProvisionException e) {
            throw unwrap(e, backend);
        }
    }

    /**
     * The parent injector, built on first call.
     *
     * @return the injector holding every provider
     */
    synchronized Injector injector() {
        if (injector == null) {
            // a clashing name is ambiguous and never selected (PVMM-E003); every other backend is bound
            List<DiscoveredBackend> unique = registry.backends().stream().filter(b -> !registry.duplicates().containsKey(b.name())).toList();
            injector = Guice.createInjector(Stage.PRODUCTION, new StrictModule(), new BackendsModule(unique));
        }
        return injector;
    }

    private static PvmmException unwrap(ProvisionException e, DiscoveredBackend backend) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PvmmException p) {
                return p;
            }
        }
        for (Message m : e.getErrorMessages()) {
            for (Throwable t = m.getCause(); t != null; t = t.getCause()) {
                if (t instanceof PvmmException p) {
                    return p;
                }
            }
        }
        return new PvmmException(PvmmError.BACKEND_CREATE_FAILED, null, Map.of("name", backend.name(),
                "cause", PvmmException.describe(e), "provider", backend.providerClass(), "location", backend.location()), e);
    }
}
