package io.pvmm.runtime;

import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.api.SpiVersion;
import io.pvmm.runtime.config.ConfigValue;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.RuntimeKeys;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import io.pvmm.runtime.error.DidYouMean;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Chooses the backend the configuration names, checking in order: a provider exists (E001), the
 * name is known (E002) and no other provider has it (E003: a clash makes only its name ambiguous), the SPI version is compatible (E007), the paging mode
 * is supported (E006), the settings are valid (E008, E009).
 */
final class BackendSelector {

    private BackendSelector() {
    }

    static Selection select(BackendRegistry registry, Configuration config) {
        registry.requireBackends();
        ConfigValue decision = config.backend();
        DiscoveredBackend backend = registry.find(decision.value()).orElseThrow(() -> new PvmmException(
                PvmmError.UNKNOWN_BACKEND, decision.source().description(), Map.of(
                        "name", decision.value(),
                        "discovered", registry.describeBackends(),
                        "suggestion", DidYouMean.sentence(decision.value(), registry.names()),
                        "failures", registry.describeFailures())));
        registry.requireUnique(backend.name());
        if (!backend.spiCompatible()) {
            throw new PvmmException(PvmmError.INCOMPATIBLE_SPI_VERSION, decision.source().description(), Map.of(
                    "name", backend.name(), "providerVersion", backend.spiVersion(), "runtimeVersion", SpiVersion.CURRENT,
                    "provider", backend.providerClass(), "location", backend.location()));
        }
        ConfigValue modeDecision = config.get(RuntimeKeys.MODE);
        PagingMode mode = config.mode();
        requireMode(backend, mode, modeDecision.source().description());
        BackendSettings settings = config.settings(backend.name(), backend.settings());
        List<ConfigValue> candidates = config.candidates(RuntimeKeys.BACKEND);
        return new Selection(backend, decision, candidates.subList(1, candidates.size()), mode, modeDecision, settings);
    }

    static void requireMode(DiscoveredBackend backend, PagingMode mode, String source) {
        if (!backend.supports(mode)) {
            String supported = backend.pagingModes().stream().map(PagingMode::configName).collect(Collectors.joining(", "));
            throw new PvmmException(PvmmError.UNSUPPORTED_PAGING_MODE, source, Map.of(
                    "name", backend.name(), "mode", mode.configName(), "supported", supported.isEmpty() ? "no mode" : supported));
        }
    }
}
