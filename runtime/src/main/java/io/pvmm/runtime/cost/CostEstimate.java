package io.pvmm.runtime.cost;

import java.util.List;
import java.util.Map;

/**
 * What one operation of a workload costs on one backend, in cycles at the profile's clock: the guest's
 * own work and the backend's events, each count times its cost. A backend without costs for the
 * profile has no estimate ({@link #priced()} false: "no cost model").
 *
 * @param backend     the backend's name
 * @param profile     the profile's name
 * @param clockGhz    the profile's clock
 * @param priced      whether the backend has a cost model for the profile
 * @param guestCycles the guest's own work, per operation
 * @param backendCycles the backend's events, per operation
 * @param terms       cycles per operation by key, every counted event that has a cost
 * @param unpriced    events the backend counted (more than zero) for which its profile has no cost
 */
public record CostEstimate(String backend, String profile, double clockGhz, boolean priced, double guestCycles,
                           double backendCycles, Map<String, Double> terms, List<String> unpriced) {

    /** What a backend without a cost model prints in place of its cost. */
    public static final String NO_COST_MODEL = "no cost model";

    /**
     * Copies the collections.
     *
     * @param backend see the record
     * @param profile see the record
     * @param clockGhz see the record
     * @param priced see the record
     * @param guestCycles see the record
     * @param backendCycles see the record
     * @param terms see the record
     * @param unpriced see the record
     */
    public CostEstimate {
        terms = Map.copyOf(terms);
        unpriced = List.copyOf(unpriced);
    }

    /** @return the whole cost per operation, in cycles (0 when not priced) */
    public double cycles() {
        return guestCycles + backendCycles;
    }

    /** @return the whole cost per operation in microseconds at the profile's clock */
    public double micros() {
        return clockGhz == 0 ? 0 : cycles() / (clockGhz * 1000);
    }

    /**
     * The slowdown against native's estimate of the same operation.
     *
     * @param nativeEstimate native's estimate
     * @return this cost over native's, or NaN when either has no cost model
     */
    public double slowdownAgainst(CostEstimate nativeEstimate) {
        return priced && nativeEstimate.priced && nativeEstimate.cycles() > 0 ? cycles() / nativeEstimate.cycles() : Double.NaN;
    }
}
