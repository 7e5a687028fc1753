package io.pvmm.bench.report;

/**
 * The ratio of two scores from one run, with its error propagated from JMH's errors (relative errors
 * added in quadrature: both are independent 99.9% half-widths).
 *
 * @param value the ratio
 * @param error its absolute error
 */
public record Ratio(double value, double error) {

    /**
     * {@code a / b}.
     *
     * @param a the numerator
     * @param b the denominator
     * @return the ratio with its error
     */
    public static Ratio of(Result a, Result b) {
        double v = a.score() / b.score();
        double rel = Math.sqrt(Math.pow(a.relativeError(), 2) + Math.pow(b.relativeError(), 2));
        return new Ratio(v, v * rel);
    }

    /** @return the lower end of the interval */
    public double low() {
        return value - error;
    }

    /** @return the upper end of the interval */
    public double high() {
        return value + error;
    }

    /** @return e.g. {@code 0.996 ± 0.012} */
    public String formatted() {
        return String.format("%.3f ± %.3f", value, error);
    }
}
