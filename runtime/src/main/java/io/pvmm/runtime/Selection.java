package io.pvmm.runtime;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.runtime.config.ConfigValue;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import java.util.List;
import java.util.Objects;

/**
 * The backend the configuration chose, after every check but {@code create}: the name is known, the
 * SPI version compatible, the paging mode supported, the settings valid.
 *
 * @param backend      the chosen provider and what it said about itself
 * @param decision     the {@code backend} value in force and its source
 * @param shadowed     the lower-precedence {@code backend} values it overrode, highest first, the
 *                     default last
 * @param mode         the paging mode in force
 * @param modeDecision the {@code mode} value in force and its source
 * @param settings     the backend's settings, checked, defaults applied
 */
public record Selection(DiscoveredBackend backend, ConfigValue decision, List<ConfigValue> shadowed,
                        PagingMode mode, ConfigValue modeDecision, BackendSettings settings) {

    /**
     * Checks the record is complete.
     *
     * @param backend      the provider
     * @param decision     the deciding value
     * @param shadowed     the overridden values
     * @param mode         the mode
     * @param modeDecision the deciding mode value
     * @param settings     the settings
     */
    public Selection {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(decision, "decision");
        shadowed = List.copyOf(shadowed);
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(modeDecision, "modeDecision");
        Objects.requireNonNull(settings, "settings");
    }

    /**
     * The chosen backend's name.
     *
     * @return e.g. {@code native}
     */
    public String name() {
        return backend.name();
    }

    /**
     * The chosen provider.
     *
     * @return the provider instance
     */
    public BackendProvider provider() {
        return backend.provider();
    }

    /**
     * Where the chosen provider was loaded from.
     *
     * @return a jar or directory path, or {@code module <name>}
     */
    public String location() {
        return backend.location();
    }
}
