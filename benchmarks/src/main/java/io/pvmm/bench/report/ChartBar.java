package io.pvmm.bench.report;

/**
 * One bar of the ratio chart: a ratio with its error, in a group, with the target band if any.
 *
 * @param group the panel it belongs to
 * @param label the bar's label
 * @param ratio the ratio and its error
 * @param low   the target's lower bound, or {@code NaN}
 * @param high  the target's upper bound, or {@code NaN}
 */
public record ChartBar(String group, String label, Ratio ratio, double low, double high) {
}
