package io.pvmm.bench.report;

/**
 * One target's headline in the report's summary table.
 *
 * @param target  the target, as the docs number it
 * @param figures the measured figures
 * @param verdict whether it is met
 */
public record TargetLine(String target, String figures, Verdict verdict) {
}
