package io.pvmm.guest.run;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendProvider;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import java.util.Map;

/**
 * How a run gets its backend: the chosen provider, its validated settings, and a way to create it —
 * the runtime's business, handed to the run so the model never names a backend.
 */
public interface BackendFactory {

    /** @return the backend's configured name */
    String name();

    /**
     * What the backend requires of the guest.
     *
     * @param mode the paging mode
     * @return the platform requirements
     */
    PlatformRequirements platform(PagingMode mode);

    /** @return the backend's validated settings */
    BackendSettings settings();

    /**
     * Creates the backend for one guest.
     *
     * @param context the guest's context (its {@code settings()} are {@link #settings()})
     * @return the backend
     */
    ParavirtOps create(BackendContext context);

    /**
     * A factory straight from a provider, with its default settings: for tests and tools that hold a
     * provider already. (The runtime's factory also checks the SPI version, the mode and the settings
     * with error codes, and builds through Guice.)
     *
     * @param provider the provider
     * @return the factory
     */
    static BackendFactory of(BackendProvider provider) {
        return of(provider, Map.of());
    }

    /**
     * A factory straight from a provider with some settings.
     *
     * @param provider the provider
     * @param settings values by key, without the {@code pvmm.<backend>.} prefix
     * @return the factory
     * @throws IllegalArgumentException if a setting is unknown or its value does not fit
     */
    static BackendFactory of(BackendProvider provider, Map<String, String> settings) {
        BackendSettings validated = BackendSettings.of(provider.settings(), settings);
        return new BackendFactory() {
            @Override
            public String name() {
                return provider.name();
            }

            @Override
            public PlatformRequirements platform(PagingMode mode) {
                return provider.platform(mode);
            }

            @Override
            public BackendSettings settings() {
                return validated;
            }

            @Override
            public ParavirtOps create(BackendContext context) {
                return provider.create(context);
            }
        };
    }
}
