package io.pvmm.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Target 3: cost grows with the work, not with the past. Each slope benchmark is read at its sizes,
 * fitted, and flagged when it grows faster than linearly at the top of its range.
 */
public final class SlopeReport {

    /**
     * A slope to report.
     *
     * @param title     what it measures
     * @param benchmark the JMH benchmark
     * @param sizeParam the parameter that sets the size
     * @param sizeUnit  what one unit of size is
     * @param filter    which of its results belong to this slope
     * @param flat      whether the target is "flat" (dispatch) rather than "linear"
     */
    public record Spec(String title, String benchmark, String sizeParam, String sizeUnit, Predicate<Result> filter,
                       boolean flat) {
    }

    private final JmhResults jmh;
    private final List<TargetLine> targets;
    private final List<Slope> fitted = new ArrayList<>();
    private final List<String> titles = new ArrayList<>();

    /**
     * Prepares the report.
     *
     * @param jmh     the run's results
     * @param targets where the headline goes
     */
    public SlopeReport(JmhResults jmh, List<TargetLine> targets) {
        this.jmh = jmh;
        this.targets = targets;
    }

    /** @return the slopes fitted so far, for the chart */
    public List<Slope> fitted() {
        return fitted;
    }

    /** @return their titles, in the same order */
    public List<String> titles() {
        return titles;
    }

    /**
     * Writes every slope the run has.
     *
     * @param md    where to write
     * @param specs the slopes
     */
    public void write(Markdown md, List<Spec> specs) {
        md.heading(3, "Target 3: cost grows with the work, not with the past");
        List<List<String>> summary = new ArrayList<>();
        boolean allOk = true;
        for (Spec spec : specs) {
            List<Result> rs = new ArrayList<>(jmh.of(spec.benchmark()).stream().filter(spec.filter()).toList());
            rs.sort(Comparator.comparingDouble(r -> Double.parseDouble(r.param(spec.sizeParam()))));
            if (rs.size() < 2) {
                summary.add(List.of(spec.title(), "not in this run", "", "", "not measured"));
                allOk = false;
                continue;
            }
            List<Double> sizes = rs.stream().map(r -> Double.parseDouble(r.param(spec.sizeParam()))).toList();
            Slope s = Slope.fit(sizes, rs);
            fitted.add(s);
            titles.add(spec.title());
            boolean ok = spec.flat() ? flat(s) : !s.superLinear();
            allOk &= ok;
            String unit = rs.get(0).unit();
            String verdict = spec.flat()
                    ? (ok ? "flat" : "grows") + String.format(" (largest / smallest = %.2f)", s.spread())
                    : (!ok ? "**super-linear**" : s.undecided() ? "linear within the error" : "linear or better")
                            + String.format(" (exponent at the top %.2f ± %.2f)", s.exponent(), s.exponentError());
            summary.add(List.of(spec.title(), Format.number(sizes.get(0)) + " … " + Format.number(sizes.get(sizes.size() - 1))
                    + " " + spec.sizeUnit(), Format.number(s.slope()) + " " + unit + " per " + spec.sizeUnit(),
                    Format.number(s.intercept()) + " " + unit, verdict));
            md.heading(4, spec.title());
            List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < rs.size(); i++) {
                rows.add(List.of(Format.number(sizes.get(i)), rs.get(i).formatted(),
                        i == 0 ? "" : Format.number(s.marginal(i - 1)) + " " + unit));
            }
            md.table(List.of(spec.sizeUnit(), "time per operation", "marginal cost per " + spec.sizeUnit()), rows);
        }
        md.heading(4, "Summary");
        md.table(List.of("slope", "sizes", "fitted cost per unit", "fixed part", "growth"), summary);
        targets.add(new TargetLine("3. cost grows with the work", fitted.size() + " of " + specs.size()
                + " slopes measured; none super-linear: " + allOk, Verdict.of(allOk)));
    }

    /** Flat: the largest size costs at most 10% more than the smallest, beyond the error. */
    private static boolean flat(Slope s) {
        Result first = s.results().get(0);
        Result last = s.results().get(s.results().size() - 1);
        Ratio r = Ratio.of(last, first);
        return r.low() <= 1.10;
    }
}
