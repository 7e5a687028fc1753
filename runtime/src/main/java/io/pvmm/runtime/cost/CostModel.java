package io.pvmm.runtime.cost;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.CostEvent;
import io.pvmm.guest.cost.GuestEvent;
import io.pvmm.guest.cost.WorkCounts;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Prices counts with a named profile: the guest's own work with the profile's guest costs, a backend's
 * events with the costs its provider ships for the profile, each cost replaceable by an override
 * ({@code cost.<backend>.<event>=cycles}, {@code cost.guest.<event>=cycles}). A backend that ships no
 * costs for the profile, or reports no events at all, gets no estimate: "no cost model".
 */
public final class CostModel {

    private final CostProfile guest;
    private final Map<String, Long> overrides;

    private CostModel(CostProfile guest, Map<String, Long> overrides) {
        this.guest = guest;
        this.overrides = Map.copyOf(overrides);
    }

    /**
     * A model for a profile.
     *
     * @param profile   the profile's name
     * @param overrides {@code cost.<scope>.<event>} keys (with or without the {@code cost.} prefix) and their cycles, as given
     * @param backends  the discovered backends' names, which overrides may name
     * @return the model
     * @throws PvmmException PVMM-E072 for an unknown profile, PVMM-E073 for a bad override
     */
    public static CostModel of(String profile, Map<String, String> overrides, Set<String> backends) {
        Map<String, Long> checked = new LinkedHashMap<>();
        overrides.forEach((k, v) -> {
            String key = k.startsWith("cost.") ? k.substring(5) : k;
            int dot = key.indexOf('.');
            String scope = dot < 0 ? key : key.substring(0, dot);
            String event = dot < 0 ? "" : key.substring(dot + 1);
            String problem = null;
            if (!scope.equals("guest") && !backends.contains(scope)) {
                problem = "'" + scope + "' is no discovered backend (" + String.join(", ", backends) + ") and not guest";
            } else if (scope.equals("guest") ? GuestEvent.byId(event).isEmpty() : CostEvent.byId(event).isEmpty()) {
                problem = scope + " has no event '" + event + "'";
            } else if (!v.strip().matches("[0-9]+")) {
                problem = "'" + v + "' is not a whole number of cycles";
            }
            if (problem != null) {
                throw new PvmmException(PvmmError.BAD_COST_OVERRIDE, "--set cost." + key, Map.of("key", "cost." + key, "value", v,
                        "problem", problem, "accepted", "cost.<backend>.<event>=cycles with a CostEvent id, "
                                + "cost.guest.<event>=cycles with " + String.join(", ", CostProfile.guestKeys()).replace("guest.", "")));
            }
            checked.put(scope + "." + event, Long.parseLong(v.strip()));
        });
        return new CostModel(CostProfiles.guest(profile), checked);
    }

    /** @return the guest's file of the profile: its clock and the guest's costs */
    public CostProfile guestProfile() {
        return guest;
    }

    /**
     * Prices one operation's counts on a backend.
     *
     * @param provider the backend's provider
     * @param counts   the counts per operation
     * @return the estimate; not priced when the backend has no costs for the profile or reports no events
     */
    public CostEstimate price(BackendProvider provider, WorkCounts counts) {
        return price(provider.name(), CostProfiles.backend(provider, guest.profile()), counts);
    }

    /**
     * Prices one operation's counts with a backend's costs.
     *
     * @param backend the backend's name
     * @param costs   its costs for the profile, or empty
     * @param counts  the counts per operation
     * @return the estimate
     */
    public CostEstimate price(String backend, Optional<CostProfile> costs, WorkCounts counts) {
        if (costs.isEmpty() || counts.backend().isEmpty()) {
            return new CostEstimate(backend, guest.profile(), guest.clockGhz(), false, 0, 0, Map.of(), List.of());
        }
        Map<String, Double> terms = new LinkedHashMap<>();
        List<String> unpriced = new ArrayList<>();
        double g = 0;
        for (Map.Entry<GuestEvent, Double> e : counts.guest().entrySet()) {
            String key = "guest." + e.getKey().id();
            Long cycles = overrides.containsKey(key) ? overrides.get(key) : guest.cost(key).map(CostProfile.Cost::cycles).orElse(null);
            if (cycles == null) {
                if (e.getValue() > 0) {
                    unpriced.add(key);
                }
                continue;
            }
            terms.put(key, e.getValue() * cycles);
            g += e.getValue() * cycles;
        }
        double b = 0;
        for (Map.Entry<CostEvent, Double> e : counts.backend().entrySet()) {
            String key = e.getKey().id();
            String override = backend + "." + key;
            Long cycles = overrides.containsKey(override) ? overrides.get(override)
                    : costs.get().cost(key).map(CostProfile.Cost::cycles).orElse(null);
            if (cycles == null) {
                if (e.getValue() > 0) {
                    unpriced.add(key);
                }
                continue;
            }
            terms.put(key, e.getValue() * cycles);
            b += e.getValue() * cycles;
        }
        return new CostEstimate(backend, guest.profile(), guest.clockGhz(), true, g, b, terms, unpriced);
    }
}
