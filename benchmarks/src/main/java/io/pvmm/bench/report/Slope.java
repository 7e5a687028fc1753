package io.pvmm.bench.report;

import java.util.List;

/**
 * How a cost grows with a size: the least-squares line through (size, score), the marginal cost
 * between neighbouring sizes, and the local growth exponent between the two largest sizes
 * ({@code ln(s2/s1) / ln(n2/n1)}: at most 1 for a cost linear in the size with a fixed part, about
 * 2 for a quadratic one), with its error from the two scores' JMH errors.
 *
 * @param sizes     the sizes, ascending
 * @param results   the result at each size
 * @param slope     fitted cost per unit of size
 * @param intercept fitted fixed cost
 * @param exponent  the local growth exponent at the top
 * @param exponentError its error
 */
public record Slope(List<Double> sizes, List<Result> results, double slope, double intercept, double exponent,
                    double exponentError) {

    /** A local exponent above this marks the growth super-linear. */
    public static final double SUPER_LINEAR = 1.15;

    /**
     * Fits the line.
     *
     * @param sizes   the sizes, ascending, at least two
     * @param results the result at each size
     * @return the fit
     */
    public static Slope fit(List<Double> sizes, List<Result> results) {
        int n = sizes.size();
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += sizes.get(i) / n;
            my += results.get(i).score() / n;
        }
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (sizes.get(i) - mx) * (results.get(i).score() - my);
            sxx += (sizes.get(i) - mx) * (sizes.get(i) - mx);
        }
        double slope = sxy / sxx;
        double a = results.get(n - 2).score();
        double b = results.get(n - 1).score();
        double span = Math.log(sizes.get(n - 1) / sizes.get(n - 2));
        double exponent = Math.log(b / a) / span;
        double rel = Math.hypot(Math.min(1, results.get(n - 2).relativeError()), Math.min(1, results.get(n - 1).relativeError()));
        return new Slope(List.copyOf(sizes), List.copyOf(results), slope, my - slope * mx, exponent, rel / span);
    }

    /** @return whether the cost grows faster than the size at the top of the range, beyond the error */
    public boolean superLinear() {
        return exponent - exponentError > SUPER_LINEAR;
    }

    /** @return whether the error leaves it open whether the growth is super-linear */
    public boolean undecided() {
        return !superLinear() && exponent + exponentError > SUPER_LINEAR;
    }

    /**
     * The marginal cost between size {@code i} and {@code i + 1}.
     *
     * @param i an index below the last
     * @return score difference per unit of size
     */
    public double marginal(int i) {
        return (results.get(i + 1).score() - results.get(i).score()) / (sizes.get(i + 1) - sizes.get(i));
    }

    /** @return the largest score over the smallest */
    public double spread() {
        return results.get(results.size() - 1).score() / results.get(0).score();
    }
}
