package io.pvmm.runtime.cost;

import io.pvmm.api.BackendProvider;
import io.pvmm.guest.cost.GuestEvent;
import io.pvmm.runtime.error.DidYouMean;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The named cost profiles: the hardware the guest is priced on ({@code xeon-2003}, {@code p4-2006}),
 * each a file of the guest's own costs shipped with the model
 * ({@code io/pvmm/guest/cost/<name>.profile}), which each backend completes with a file of its own
 * ({@link BackendProvider#costProfile}).
 */
public final class CostProfiles {

    /** The profiles the model ships, in listing order. */
    public static final List<String> NAMES = List.of("xeon-2003", "p4-2006");
    /** The profile a run is priced with unless {@code cost.profile} says otherwise. */
    public static final String DEFAULT = "xeon-2003";

    private CostProfiles() {
    }

    /**
     * The guest's file of a profile.
     *
     * @param name a profile's name
     * @return the guest's costs and the clock
     * @throws PvmmException PVMM-E072 when no profile has that name; PVMM-E070, PVMM-E071 for a bad file
     */
    public static CostProfile guest(String name) {
        URL url = NAMES.contains(name) ? GuestEvent.class.getResource(name + ".profile") : null;
        if (url == null) {
            throw new PvmmException(PvmmError.UNKNOWN_COST_PROFILE, "cost.profile", Map.of("name", name,
                    "accepted", String.join(", ", NAMES),
                    "suggestion", DidYouMean.closest(name, NAMES).map(s -> " Did you mean '" + s + "'?").orElse("")));
        }
        return CostProfile.read(name, url, true);
    }

    /**
     * A backend's file of a profile.
     *
     * @param provider the backend's provider
     * @param name     a profile's name
     * @return its costs, or empty when the backend ships none for that profile ("no cost model")
     * @throws PvmmException PVMM-E070, PVMM-E071 for a bad file
     */
    public static Optional<CostProfile> backend(BackendProvider provider, String name) {
        return provider.costProfile(name).map(url -> CostProfile.read(name, url, false));
    }
}
