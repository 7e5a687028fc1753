package io.pvmm.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * How a chart maps a value to a length: linear from zero, or logarithmic where the values drawn span
 * two orders of magnitude or more, so the smaller ones do not vanish beside the larger.
 *
 * @param log whether the scale is logarithmic
 * @param min the smallest value on the axis (0 on a linear scale, a power of ten on a log one)
 * @param max the largest value on the axis, a round number
 */
record ChartScale(boolean log, double min, double max) {

    /** The span, largest over smallest positive value, from which a chart is drawn on a log scale. */
    static final double LOG_FROM = 100;

    /**
     * The scale for values.
     *
     * @param values the values drawn (negative ones are drawn as zero)
     * @return a log scale if the positive values span {@link #LOG_FROM} or more, else a linear one
     */
    static ChartScale fit(List<Double> values) {
        double max = 0;
        double minPositive = Double.MAX_VALUE;
        for (double v : values) {
            max = Math.max(max, v);
            if (v > 0) {
                minPositive = Math.min(minPositive, v);
            }
        }
        if (max <= 0) {
            return new ChartScale(false, 0, 1);
        }
        if (max / minPositive >= LOG_FROM) {
            return new ChartScale(true, Math.pow(10, Math.floor(Math.log10(minPositive))), Math.pow(10, Math.ceil(Math.log10(max))));
        }
        return new ChartScale(false, 0, niceCeiling(max));
    }

    /**
     * Where a value falls on the axis.
     *
     * @param v the value
     * @return 0 at the axis' start, 1 at its end; a value at or below zero on a log scale is 0
     */
    double fraction(double v) {
        if (log) {
            if (v <= 0) {
                return 0;
            }
            double f = (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
            return Math.max(0, Math.min(1, f));
        }
        return Math.max(0, Math.min(1, v / max));
    }

    /** @return the axis' ticks: powers of ten on a log scale, five even steps from zero on a linear one */
    List<Double> ticks() {
        List<Double> ticks = new ArrayList<>();
        if (log) {
            for (double t = min; t <= max * 1.0001; t *= 10) {
                ticks.add(t);
            }
        } else {
            for (int i = 0; i <= 4; i++) {
                ticks.add(max * i / 4);
            }
        }
        return ticks;
    }

    /** @return what the axis says of its scale: {@code " (log scale)"} or nothing */
    String note() {
        return log ? " (log scale)" : "";
    }

    private static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
