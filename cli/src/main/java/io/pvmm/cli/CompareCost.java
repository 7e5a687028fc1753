package io.pvmm.cli;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.cost.PerOperation;
import io.pvmm.guest.workload.LmbenchWorkload;
import io.pvmm.guest.workload.Workload;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.Selection;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.RuntimeKeys;
import io.pvmm.runtime.cost.CostEstimate;
import io.pvmm.runtime.cost.CostModel;
import io.pvmm.runtime.guest.GuestRuntime;
import io.pvmm.runtime.guest.SelectedBackend;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cost section of {@code pvmm compare}: per backend, the estimated cycles (and microseconds at the
 * profile's clock) of one operation of the workload, and the slowdown against native. An lmbench-shaped
 * workload's operation is what lmbench times (a fork, a page fault); any other workload's is one of its
 * operations, averaged over the run. Each backend is measured by a run of its own on one vCPU, with the
 * comparison's seed and guest settings; a backend without costs for the profile shows "no cost model".
 *
 * @param profile   the profile's name
 * @param clockGhz  its clock
 * @param clock     what it says of the hardware
 * @param operation what one operation is
 * @param rows      one per backend and mode, in the comparison's order
 */
record CompareCost(String profile, double clockGhz, String clock, String operation, List<Row> rows) {

    /**
     * One backend in one mode.
     *
     * @param backend  the backend
     * @param mode     the mode
     * @param estimate its estimate per operation
     * @param slowdown against native in the same mode, NaN when either has no cost model
     * @param counts   the counted events per operation, by key
     */
    record Row(String backend, PagingMode mode, CostEstimate estimate, double slowdown, Map<String, Double> counts) {
    }

    /**
     * Measures and prices every backend of a comparison.
     *
     * @param runtime  the runtime
     * @param inputs   the comparison's inputs
     * @param config   its configuration
     * @param workload its workload
     * @param c        the comparison (its backends and modes)
     * @return the cost section
     */
    static CompareCost of(PvmmRuntime runtime, ConfigInputs inputs, Configuration config, Workload workload, Comparison c) {
        CostModel model = CostSettings.model(runtime, config);
        String operation = workload instanceof LmbenchWorkload l ? l.operation() : "operation of " + workload.name();
        List<Row> rows = new ArrayList<>();
        for (Comparison.ModeSection section : c.modes()) {
            CostEstimate reference = null;
            List<Row> mine = new ArrayList<>();
            for (Comparison.BackendRun r : section.runs()) {
                if (r.skipped() != null || r.report() == null) {
                    continue;
                }
                try {
                    Configuration one = runtime.configure(inputs.withOption(RuntimeKeys.BACKEND, r.backend(), "compare")
                            .withOption(RuntimeKeys.MODE, section.mode().configName(), "compare"));
                    Selection selection = runtime.select(one);
                    GuestConfig guest = GuestRuntime.guestConfig(runtime.registry(), one, selection);
                    SelectedBackend factory = new SelectedBackend(runtime, selection);
                    PerOperation per = workload instanceof LmbenchWorkload l
                            ? PerOperation.measure(l, section.mode(), guest, factory)
                            : PerOperation.measureWhole(workload, section.mode(), guest, factory);
                    BackendProvider provider = runtime.registry().find(r.backend()).orElseThrow().provider();
                    CostEstimate e = model.price(provider, per.counts());
                    if (r.backend().equals(RuntimeKeys.DEFAULT_BACKEND)) {
                        reference = e;
                    }
                    mine.add(new Row(r.backend(), section.mode(), e, Double.NaN, per.counts().byKey()));
                } catch (io.pvmm.runtime.error.PvmmException badCosts) {
                    throw badCosts; // a bad profile or override is the user's to fix, not a run that stopped
                } catch (RuntimeException stopped) { // a run the backend stopped has no counts to price
                    mine.add(new Row(r.backend(), section.mode(), new CostEstimate(r.backend(), model.guestProfile().profile(),
                            model.guestProfile().clockGhz(), false, 0, 0, Map.of(), List.of()), Double.NaN, Map.of()));
                }
            }
            for (Row row : mine) {
                rows.add(new Row(row.backend(), row.mode(), row.estimate(),
                        reference == null ? Double.NaN : row.estimate().slowdownAgainst(reference), row.counts()));
            }
        }
        return new CompareCost(model.guestProfile().profile(), model.guestProfile().clockGhz(), model.guestProfile().clock(),
                operation, rows);
    }

    /**
     * Prints the section as text.
     *
     * @param out where
     */
    void print(PrintWriter out) {
        out.println();
        out.printf(Locale.ROOT, "Estimated cost per %s (profile %s: cycles at %.1f GHz, %s)%n", operation, profile, clockGhz, clock);
        out.printf(Locale.ROOT, "  %-10s %-10s %14s %12s %10s%n", "backend", "mode", "cycles", "us", "vs native");
        for (Row r : rows) {
            if (!r.estimate().priced()) {
                out.printf(Locale.ROOT, "  %-10s %-10s %s%n", r.backend(), r.mode().configName(), CostEstimate.NO_COST_MODEL);
                continue;
            }
            out.printf(Locale.ROOT, "  %-10s %-10s %14.0f %12.2f %10s%s%n", r.backend(), r.mode().configName(), r.estimate().cycles(),
                    r.estimate().micros(), Double.isNaN(r.slowdown()) ? "n/a" : String.format(Locale.ROOT, "%.2fx", r.slowdown()),
                    r.estimate().unpriced().isEmpty() ? "" : "  (no cost for " + String.join(", ", r.estimate().unpriced()) + ")");
        }
        out.println("  Costs and their sources: the profile files (docs/validation.md); override one with --set cost.<backend>.<event>=cycles.");
    }

    /** @return the section as a JSON tree */
    Map<String, Object> tree() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("profile", profile);
        m.put("clockGhz", clockGhz);
        m.put("operation", operation);
        List<Object> each = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> rm = new LinkedHashMap<>();
            rm.put("backend", r.backend());
            rm.put("mode", r.mode().configName());
            rm.put("costModel", r.estimate().priced());
            if (r.estimate().priced()) {
                rm.put("cycles", round(r.estimate().cycles()));
                rm.put("micros", round(r.estimate().micros()));
                rm.put("guestCycles", round(r.estimate().guestCycles()));
                rm.put("backendCycles", round(r.estimate().backendCycles()));
                rm.put("slowdown", Double.isNaN(r.slowdown()) ? null : round(r.slowdown()));
                rm.put("unpriced", r.estimate().unpriced());
            } else {
                rm.put("note", CostEstimate.NO_COST_MODEL);
            }
            Map<String, Object> counts = new LinkedHashMap<>();
            r.counts().forEach((k, v) -> counts.put(k, round(v)));
            rm.put("eventsPerOperation", counts);
            each.add(rm);
        }
        m.put("backends", each);
        return m;
    }

    /** @return the section as an HTML fragment */
    String html() {
        StringBuilder b = new StringBuilder();
        b.append("<section id=\"cost\"><h2>Estimated cost per ").append(Html.escape(operation)).append("</h2>\n");
        b.append("<p>Profile ").append(Html.escape(profile)).append(String.format(Locale.ROOT, ": cycles at %.1f GHz, ", clockGhz))
                .append(Html.escape(clock)).append(".</p>\n<table><tr><th>backend</th><th>mode</th><th>cycles</th><th>µs</th>"
                        + "<th>vs native</th></tr>\n");
        for (Row r : rows) {
            b.append("<tr><td>").append(Html.escape(r.backend())).append("</td><td>").append(r.mode().configName()).append("</td>");
            if (!r.estimate().priced()) {
                b.append("<td colspan=\"3\">").append(CostEstimate.NO_COST_MODEL).append("</td></tr>\n");
                continue;
            }
            b.append(String.format(Locale.ROOT, "<td>%.0f</td><td>%.2f</td><td>%s</td></tr>%n", r.estimate().cycles(), r.estimate().micros(),
                    Double.isNaN(r.slowdown()) ? "n/a" : String.format(Locale.ROOT, "%.2f×", r.slowdown())));
        }
        return b.append("</table></section>\n").toString();
    }

    /**
     * Puts the HTML fragment into a rendered report, before its closing body tag.
     *
     * @param page the rendered report
     * @return the report with the section
     */
    String into(String page) {
        int at = page.lastIndexOf("</body>");
        return at < 0 ? page + html() : page.substring(0, at) + html() + page.substring(at);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
