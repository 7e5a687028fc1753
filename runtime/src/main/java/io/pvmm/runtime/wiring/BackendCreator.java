package io.pvmm.runtime.wiring;

import com.google.inject.Inject;
import com.google.inject.Provider;
import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendProvider;
import io.pvmm.api.ParavirtOps;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.util.Map;

/**
 * Builds one backend: looks its provider up by name among the bound providers and calls its
 * {@code create} — the only place any provider's {@code create} is called.
 */
final class BackendCreator {

    private final Map<String, Provider<BackendProvider>> providers;

    @Inject
    BackendCreator(Map<String, Provider<BackendProvider>> providers) {
        this.providers = providers;
    }

    /**
     * Creates the backend.
     *
     * @param backend the chosen backend
     * @param context the guest's context, settings already checked
     * @return the new backend
     * @throws PvmmException {@link PvmmError#BACKEND_CREATE_FAILED} if {@code create} throws or
     *                       returns {@code null}
     */
    ParavirtOps create(DiscoveredBackend backend, BackendContext context) {
        Provider<BackendProvider> provider = providers.get(backend.name());
        if (provider == null) {
            throw new IllegalArgumentException("backend '" + backend.name() + "' is not bound; bound: " + providers.keySet());
        }
        ParavirtOps ops;
        try {
            ops = provider.get().create(context);
        } catch (RuntimeException | LinkageError e) {
            throw createFailed(backend, PvmmException.describe(e), e);
        }
        if (ops == null) {
            throw createFailed(backend, "create() returned null", null);
        }
        return ops;
    }

    private static PvmmException createFailed(DiscoveredBackend backend, String cause, Throwable t) {
        return new PvmmException(PvmmError.BACKEND_CREATE_FAILED, null, Map.of("name", backend.name(), "cause", cause,
                "provider", backend.providerClass(), "location", backend.location()), t);
    }
}
