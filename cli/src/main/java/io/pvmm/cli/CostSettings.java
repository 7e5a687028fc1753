package io.pvmm.cli;

import io.pvmm.api.CostEvent;
import io.pvmm.api.SettingSpec;
import io.pvmm.guest.cost.GuestEvent;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.SettingNamespace;
import io.pvmm.runtime.cost.CostModel;
import io.pvmm.runtime.cost.CostProfiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * {@code cost.*}: the profile a run is priced with ({@code cost.profile}) and an override for any
 * single cost, {@code cost.<backend>.<event>=cycles} for a discovered backend's {@link CostEvent} and
 * {@code cost.guest.<event>=cycles} for the guest's own work ({@link GuestEvent}). An override left
 * empty keeps the profile's figure.
 */
final class CostSettings {

    static final String NAMESPACE = "cost";

    private CostSettings() {
    }

    /**
     * Adds {@code cost.*} to a runtime that lacks it, with a key for every discovered backend's events.
     *
     * @param runtime a runtime
     * @return the runtime with the namespace
     */
    static PvmmRuntime register(PvmmRuntime runtime) {
        if (!runtime.keys().namespaceSpecs(NAMESPACE).isEmpty()) {
            return runtime;
        }
        List<SettingSpec> specs = new ArrayList<>();
        specs.add(SettingSpec.string("profile", CostProfiles.DEFAULT, "the named cost profile runs are priced with: "
                + String.join(", ", CostProfiles.NAMES)));
        for (GuestEvent e : GuestEvent.values()) {
            specs.add(SettingSpec.string("guest." + e.id(), "", "cycles of the guest's " + e.id() + " (empty: the profile's)"));
        }
        for (String backend : new LinkedHashSet<>(runtime.registry().names())) {
            for (CostEvent e : CostEvent.values()) {
                specs.add(SettingSpec.string(backend + "." + e.id(), "", "cycles of " + backend + "'s " + e.id() + " (empty: the profile's)"));
            }
        }
        return runtime.withNamespace(new SettingNamespace(NAMESPACE, specs));
    }

    /**
     * The cost model the configuration asks for.
     *
     * @param runtime the runtime (for the backends' names)
     * @param config  the configuration
     * @return the model
     */
    static CostModel model(PvmmRuntime runtime, Configuration config) {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (SettingSpec spec : runtime.keys().namespaceSpecs(NAMESPACE)) {
            if (spec.key().equals("profile")) {
                continue;
            }
            String v = config.get(NAMESPACE + "." + spec.key()).value();
            if (!v.isBlank()) {
                overrides.put(spec.key(), v);
            }
        }
        return CostModel.of(config.get(NAMESPACE + ".profile").value().trim(), overrides,
                new LinkedHashSet<>(runtime.registry().names()));
    }
}
