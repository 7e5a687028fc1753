package io.pvmm.bench.report;

/** Whether a measured interval meets a target; later constants are worse. */
public enum Verdict {
    /** The whole interval meets the target. */
    MET("met"),
    /** The interval straddles the target: the run cannot tell. */
    INCONCLUSIVE("not shown: the error bar straddles the target"),
    /** The whole interval misses the target. */
    NOT_MET("not met");

    private final String text;

    Verdict(String text) {
        this.text = text;
    }

    /**
     * A ratio that must lie within {@code [1 - tolerance, 1 + tolerance]}.
     *
     * @param r         the ratio
     * @param tolerance e.g. 0.01
     * @return the verdict
     */
    public static Verdict within(Ratio r, double tolerance) {
        if (r.low() >= 1 - tolerance && r.high() <= 1 + tolerance) {
            return MET;
        }
        if (r.high() < 1 - tolerance || r.low() > 1 + tolerance) {
            return NOT_MET;
        }
        return INCONCLUSIVE;
    }

    /**
     * A ratio that must be at least {@code floor}.
     *
     * @param r     the ratio
     * @param floor e.g. 1.6
     * @return the verdict
     */
    public static Verdict atLeast(Ratio r, double floor) {
        if (r.low() >= floor) {
            return MET;
        }
        return r.high() < floor ? NOT_MET : INCONCLUSIVE;
    }

    /**
     * A plain yes or no.
     *
     * @param ok whether the target is met
     * @return the verdict
     */
    public static Verdict of(boolean ok) {
        return ok ? MET : NOT_MET;
    }

    @Override
    public String toString() {
        return text;
    }
}
