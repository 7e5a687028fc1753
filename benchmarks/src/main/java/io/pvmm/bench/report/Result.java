package io.pvmm.bench.report;

import java.util.Map;

/**
 * One JMH result: a benchmark with its parameters, its score and JMH's error (the half-width of the
 * 99.9% confidence interval).
 *
 * @param benchmark the class's simple name and the method, e.g. {@code GuestOpsBenchmark.forkExit}
 * @param params    the parameter values
 * @param score     the score
 * @param error     JMH's score error ({@code NaN} when JMH could not compute one)
 * @param unit      the score's unit, e.g. {@code ops/s}
 * @param threads   worker threads
 */
public record Result(String benchmark, Map<String, String> params, double score, double error, String unit, int threads) {

    /**
     * Makes the parameters unmodifiable.
     *
     * @param benchmark the benchmark
     * @param params    its parameters
     * @param score     the score
     * @param error     the error
     * @param unit      the unit
     * @param threads   the threads
     */
    public Result {
        params = Map.copyOf(params);
    }

    /**
     * A parameter's value.
     *
     * @param name the parameter
     * @return its value, or {@code null}
     */
    public String param(String name) {
        return params.get(name);
    }

    /** @return the error relative to the score */
    public double relativeError() {
        return Double.isNaN(error) ? 0 : error / score;
    }

    /** @return the score and its error, e.g. {@code 123,456 ± 1,234 ops/s} */
    public String formatted() {
        return Format.number(score) + " ± " + (Double.isNaN(error) ? "?" : Format.number(error)) + " " + unit;
    }
}
