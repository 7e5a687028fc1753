package io.pvmm.cli;

import io.pvmm.guest.observe.Hook;
import io.pvmm.guest.run.RunReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The top of the HTML report: what differs between the backends, before any detail. First each
 * backend's verdicts in each paging mode (translations, violations, audit, balance, failure), then the
 * counts on which the backends differ most, as the ratio of the largest value to the smallest.
 */
final class HtmlSummary {

    /** How many of the largest differences the summary lists. */
    static final int LARGEST = 8;

    /**
     * A count on which the backends differ, in one mode.
     *
     * @param mode     the paging mode
     * @param what     the count, e.g. {@code setPte calls after boot}
     * @param high     the backend with the largest value
     * @param highest  its value
     * @param low      the backend with the smallest value
     * @param lowest   its value
     */
    record Difference(String mode, String what, String high, long highest, String low, long lowest) {

        /** @return the largest over the smallest; infinite where the smallest is zero */
        double ratio() {
            return lowest == 0 ? Double.POSITIVE_INFINITY : (double) highest / lowest;
        }

        /** @return the ratio as the summary prints it: {@code ×12.5}, or {@code only high} where the smallest is zero */
        String ratioText() {
            if (lowest == 0) {
                return "only " + high;
            }
            double r = ratio();
            return "\u00d7" + String.format(Locale.ROOT, r >= 100 ? "%.0f" : r >= 10 ? "%.1f" : "%.2f", r);
        }
    }

    private HtmlSummary() {
    }

    /**
     * Appends the summary.
     *
     * @param c  the comparison
     * @param sb the page
     */
    static void append(Comparison c, StringBuilder sb) {
        sb.append("<section id=\"summary\">\n<h2>What differs</h2>\n");
        verdicts(c, sb);
        List<Difference> largest = largest(c);
        if (largest.isEmpty()) {
            sb.append("<p class=\"meta\">Every count is the same on every backend.</p>\n");
        } else {
            sb.append("<h3>Largest differences between backends</h3>\n<table class=\"diffs\">\n<tr><th class=\"l\">mode</th>"
                    + "<th class=\"l\">count</th><th>most</th><th>least</th><th>ratio</th></tr>\n");
            for (Difference d : largest) {
                sb.append("<tr><td class=\"l\">").append(Html.escape(d.mode())).append("</td><td class=\"l\">").append(Html.escape(d.what()))
                        .append("</td><td>").append(Html.escape(d.high())).append(' ').append(d.highest()).append("</td><td>")
                        .append(Html.escape(d.low())).append(' ').append(d.lowest()).append("</td><td class=\"ratio\">")
                        .append(Html.escape(d.ratioText())).append("</td></tr>\n");
            }
            sb.append("</table>\n");
        }
        sb.append("</section>\n");
    }

    private static void verdicts(Comparison c, StringBuilder sb) {
        sb.append("<table class=\"verdicts\">\n<tr><th class=\"l\">backend</th>");
        c.modes().forEach(m -> sb.append("<th class=\"l\">").append(Html.escape(m.mode().configName())).append("</th>"));
        sb.append("</tr>\n");
        List<String> backends = c.modes().isEmpty() ? List.of() : c.modes().get(0).runs().stream().map(Comparison.BackendRun::backend).toList();
        for (int b = 0; b < backends.size(); b++) {
            sb.append("<tr><td class=\"l\"><b>").append(Html.escape(backends.get(b))).append("</b></td>");
            for (Comparison.ModeSection m : c.modes()) {
                Comparison.BackendRun run = m.runs().get(b);
                sb.append("<td class=\"l\">").append(verdict(run, run == m.reference())).append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    /** One backend's verdicts in one mode: what went wrong in red, or one green word when nothing did. */
    static String verdict(Comparison.BackendRun run, boolean reference) {
        if (run.skipped() != null) {
            return "<span class=\"muted\">skipped: " + Html.escape(run.skipped()) + "</span>";
        }
        RunReport r = run.report();
        List<String> bad = new ArrayList<>();
        if (r.failure() != null) {
            bad.add(r.failure().lines().findFirst().orElse("failed"));
        }
        if (r.bug() != null) {
            bad.add("guest BUG: " + r.bug());
        }
        if (!r.violations().isEmpty()) {
            bad.add(r.violations().size() + " violation" + (r.violations().size() == 1 ? "" : "s") + " (" + r.violations().get(0).rule() + ")");
        }
        if (!r.findings().isEmpty()) {
            bad.add(r.findings().size() + " audit finding" + (r.findings().size() == 1 ? "" : "s") + " (" + r.findings().get(0).ruleId() + ")");
        }
        if (!r.balanced()) {
            bad.add("hooks unbalanced");
        }
        String translations = run.translationVerdict(reference);
        if (!translations.equals("AGREED") && !translations.equals("reference")) {
            bad.add("translations " + translations);
        }
        if (bad.isEmpty()) {
            return "<span class=\"ok\">" + (reference ? "reference" : "agrees") + "</span> <span class=\"muted\">clean audit, balanced, "
                    + r.elapsedMillis() + " ms</span>";
        }
        StringBuilder sb = new StringBuilder();
        for (String s : bad) {
            sb.append(sb.length() == 0 ? "" : "; ").append("<span class=\"bad\">").append(Html.escape(s)).append("</span>");
        }
        return sb.toString();
    }

    /**
     * The counts on which the backends differ most, largest ratio first: hook calls after boot by kind,
     * the TLB's counts and the page-table frames, in every mode, where two or more backends ran.
     *
     * @param c the comparison
     * @return at most {@link #LARGEST} differences
     */
    static List<Difference> largest(Comparison c) {
        List<Difference> all = new ArrayList<>();
        for (Comparison.ModeSection m : c.modes()) {
            List<Comparison.BackendRun> ran = m.runs().stream().filter(r -> r.report() != null).toList();
            if (ran.size() < 2) {
                continue;
            }
            String mode = m.mode().configName();
            for (Hook h : Hook.values()) {
                difference(mode, h.name() + " calls after boot", ran, r -> r.hooks().getOrDefault(h.name(), 0L)
                        - r.bootHooks().getOrDefault(h.name(), 0L), all);
            }
            for (String t : List.of("misses", "walk-references", "flushes")) {
                difference(mode, "TLB " + t, ran, r -> r.tlbTotals().getOrDefault(t, 0L), all);
            }
            difference(mode, "page-table frames at the end", ran, RunReport::frames, all);
        }
        all.sort(Comparator.comparingDouble(Difference::ratio).reversed()
                .thenComparing(Comparator.comparingLong(Difference::highest).reversed()));
        return all.subList(0, Math.min(LARGEST, all.size()));
    }

    private static void difference(String mode, String what, List<Comparison.BackendRun> ran,
                                   java.util.function.ToLongFunction<RunReport> value, List<Difference> into) {
        Comparison.BackendRun high = null;
        Comparison.BackendRun low = null;
        for (Comparison.BackendRun r : ran) {
            long v = value.applyAsLong(r.report());
            if (high == null || v > value.applyAsLong(high.report())) {
                high = r;
            }
            if (low == null || v < value.applyAsLong(low.report())) {
                low = r;
            }
        }
        long highest = value.applyAsLong(high.report());
        long lowest = value.applyAsLong(low.report());
        if (highest != lowest && highest > 0) {
            into.add(new Difference(mode, what, high.backend(), highest, low.backend(), lowest));
        }
    }
}
