package io.pvmm.bench.report;

import io.pvmm.bench.guest.BackendChoice;
import io.pvmm.bench.guest.ListBackends;
import io.pvmm.runtime.discovery.BackendDiscovery;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The throughput targets, from one JMH run: the hooks' cost on {@code native} against the model with
 * them compiled out (target 1), SMP scaling (target 4), and every backend beside {@code native}
 * (target 5). Each figure is a ratio of two scores of the same run, with its propagated error.
 */
public final class Report {

    /** The operations {@link io.pvmm.bench.GuestOpsBenchmark} measures, as benchmark method names. */
    public static final List<String> OPERATIONS = List.of("forkExit", "pageFault", "changePageAttr");
    /** The paging modes, as parameter values. */
    public static final List<String> MODES = List.of("two-level", "pae");

    private final JmhResults jmh;
    private final List<TargetLine> targets;
    private final List<ChartBar> bars = new ArrayList<>();

    /**
     * Prepares the report.
     *
     * @param jmh     the run's results
     * @param targets where each target's headline goes
     */
    public Report(JmhResults jmh, List<TargetLine> targets) {
        this.jmh = jmh;
        this.targets = targets;
    }

    /** @return the bars for the ratio chart, collected while writing */
    public List<ChartBar> bars() {
        return bars;
    }

    /**
     * Target 1: native against compiled out.
     *
     * @param md where to write
     */
    public void hookCost(Markdown md) {
        md.heading(3, "Target 1: the hooks cost nothing on native");
        List<List<String>> rows = new ArrayList<>();
        Verdict worst = Verdict.MET;
        StringBuilder figures = new StringBuilder();
        for (String op : List.of("forkExit", "pageFault")) {
            for (String mode : MODES) {
                String m = mode.equals("pae") ? "Pae" : "TwoLevel";
                Optional<Result> nat = jmh.find("HookCostBenchmark." + op + m + "2Native", r -> true);
                Optional<Result> out = jmh.find("HookCostBenchmark." + op + m + "1CompiledOut", r -> true);
                if (nat.isEmpty() || out.isEmpty()) {
                    continue;
                }
                Ratio r = Ratio.of(nat.get(), out.get());
                Verdict v = Verdict.within(r, 0.01);
                worst = worse(worst, v);
                rows.add(List.of(op, mode, "**" + r.formatted() + "** (" + Format.percent(r.value()) + ")",
                        nat.get().formatted(), out.get().formatted(), v.toString()));
                bars.add(new ChartBar("hooks: native / compiled out", op + " " + mode, r, 0.99, 1.01));
                figures.append(figures.length() == 0 ? "" : "; ").append(op).append(' ').append(mode).append(' ')
                        .append(r.formatted());
            }
        }
        if (rows.isEmpty()) {
            md.para("Not in this run.");
            return;
        }
        md.table(List.of("operation", "mode", "native / compiled out", "native", "compiled out", "within 1%"), rows);
        targets.add(new TargetLine("1. hooks cost nothing on native (within 1%)", figures.toString(), worst));
    }

    /**
     * Target 4: two vCPUs against one.
     *
     * @param md where to write
     */
    public void smp(Markdown md) {
        md.heading(3, "Target 4: two vCPUs against one (native, fork+exit)");
        List<List<String>> rows = new ArrayList<>();
        Verdict worst = Verdict.MET;
        StringBuilder figures = new StringBuilder();
        for (String mode : MODES) {
            Optional<Result> one = jmh.find("SmpForkExitBenchmark.oneVcpu", JmhResults.param("mode", mode));
            Optional<Result> two = jmh.find("SmpForkExitBenchmark.twoVcpus", JmhResults.param("mode", mode));
            if (one.isEmpty() || two.isEmpty()) {
                continue;
            }
            Ratio r = Ratio.of(two.get(), one.get());
            Verdict v = Verdict.atLeast(r, 1.6);
            worst = worse(worst, v);
            Optional<Result> own = jmh.find("SmpForkExitBenchmark.twoGuests", JmhResults.param("mode", mode));
            String control = own.map(o -> Ratio.of(o, one.get()).formatted()).orElse("not in this run");
            rows.add(List.of(mode, "**" + r.formatted() + "**", control, two.get().formatted(), one.get().formatted(), v.toString()));
            bars.add(new ChartBar("SMP: two vCPUs / one", mode, r, 1.6, Double.NaN));
            figures.append(figures.length() == 0 ? "" : "; ").append(mode).append(' ').append(r.formatted()).append('×');
        }
        if (rows.isEmpty()) {
            md.para("Not in this run.");
            return;
        }
        md.para("The control runs two threads on two guests of their own, which share nothing of the model: it is "
                + "what this machine and JVM let two threads reach at that moment.");
        md.table(List.of("mode", "2 vCPUs / 1 vCPU", "control: 2 own guests / 1", "2 vCPUs", "1 vCPU", "at least 1.6×"), rows);
        targets.add(new TargetLine("4. two vCPUs ≥ 1.6× one", figures.toString(), worst));
    }

    /**
     * Target 5: each backend beside native.
     *
     * @param md where to write
     */
    public void backends(Markdown md) {
        md.heading(3, "Target 5: backends side by side (throughput relative to native)");
        List<String> backends = new ArrayList<>();
        for (Result r : jmh.all()) {
            String b = r.param("backend");
            if (r.benchmark().startsWith("GuestOpsBenchmark.") && b != null && !backends.contains(b)) {
                backends.add(b);
            }
        }
        List<List<String>> rows = new ArrayList<>();
        List<List<String>> absolute = new ArrayList<>();
        for (String op : OPERATIONS) {
            for (String mode : MODES) {
                Optional<Result> nat = jmh.find("GuestOpsBenchmark." + op,
                        JmhResults.param("backend", BackendChoice.NATIVE).and(JmhResults.param("mode", mode)));
                if (nat.isEmpty()) {
                    continue;
                }
                for (String b : backends) {
                    Optional<Result> res = jmh.find("GuestOpsBenchmark." + op,
                            JmhResults.param("backend", b).and(JmhResults.param("mode", mode)));
                    if (res.isEmpty()) {
                        continue;
                    }
                    Ratio r = Ratio.of(res.get(), nat.get());
                    rows.add(List.of(op, mode, b, b.equals(BackendChoice.NATIVE) ? "1 (reference)" : "**" + r.formatted() + "**"));
                    absolute.add(List.of(op, mode, b, res.get().formatted()));
                    if (!b.equals(BackendChoice.NATIVE)) {
                        bars.add(new ChartBar("backend / native", op + " " + mode + " " + b, r, Double.NaN, Double.NaN));
                    }
                }
            }
        }
        if (rows.isEmpty()) {
            md.para("Not in this run.");
            return;
        }
        md.para("Backends in this run: " + String.join(", ", backends) + ".");
        md.table(List.of("operation", "mode", "backend", "throughput / native"), rows);
        md.para("Absolute throughput (JMH score ± 99.9% error):");
        md.table(List.of("operation", "mode", "backend", "throughput"), absolute);
        List<String> missing = new ArrayList<>(ListBackends.backends(BackendDiscovery.discover()));
        missing.removeAll(backends);
        targets.add(new TargetLine("5. backends side by side", "measured: " + String.join(", ", backends)
                + (missing.isEmpty() ? "" : "; not on the class path: " + String.join(", ", missing)), Verdict.of(missing.isEmpty())));
    }

    static Verdict worse(Verdict a, Verdict b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }
}
