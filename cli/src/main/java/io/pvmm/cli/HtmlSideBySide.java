package io.pvmm.cli;

import io.pvmm.guest.observe.Hook;
import io.pvmm.guest.run.RunReport;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The HTML report's one table of every count: the paging modes side by side (a group of columns each,
 * one column per backend), and boot apart from the steady state that follows it (hook calls and the
 * backends' counters each in two groups of rows). A row on which the backends differ is marked, and in
 * it each cell that differs from the mode's first backend.
 */
final class HtmlSideBySide {

    /**
     * A row of the table.
     *
     * @param group  the group of rows it belongs to
     * @param label  what it counts
     * @param unit   what its numbers count, for the charts' axes; blank for words
     * @param value  the cell of a run that ran
     */
    record Row(String group, String label, String unit, Function<RunReport, String> value) {

        /**
         * The cells of one mode.
         *
         * @param section the mode's runs
         * @return one cell per backend: blank where it was skipped
         */
        List<String> cells(Comparison.ModeSection section) {
            List<String> cells = new ArrayList<>();
            for (Comparison.BackendRun r : section.runs()) {
                cells.add(r.report() == null ? "" : value.apply(r.report()));
            }
            return cells;
        }

        /**
         * Whether the backends that ran disagree on this row in any mode.
         *
         * @param c the comparison
         * @return true if two runs of one mode have different cells
         */
        boolean differs(Comparison c) {
            for (Comparison.ModeSection s : c.modes()) {
                Set<String> seen = new LinkedHashSet<>();
                for (Comparison.BackendRun r : s.runs()) {
                    if (r.report() != null) {
                        seen.add(value.apply(r.report()));
                    }
                }
                if (seen.size() > 1) {
                    return true;
                }
            }
            return false;
        }
    }

    private HtmlSideBySide() {
    }

    /**
     * The rows, hook kinds and counters only where some run has a call or a count.
     *
     * @param c the comparison
     * @return the rows, in groups
     */
    static List<Row> rows(Comparison c) {
        List<RunReport> reports = new ArrayList<>();
        Set<String> counters = new LinkedHashSet<>();
        for (Comparison.ModeSection s : c.modes()) {
            for (Comparison.BackendRun r : s.runs()) {
                if (r.report() != null) {
                    reports.add(r.report());
                    counters.addAll(r.report().counters().keySet());
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("run", "status", "", r -> r.completed() ? "completed" : "STOPPED"));
        rows.add(new Row("run", "operations", "operations", r -> Long.toString(r.operations())));
        rows.add(new Row("run", "time (ms)", "ms", r -> Long.toString(r.elapsedMillis())));
        for (Hook h : Hook.values()) {
            if (reports.stream().anyMatch(r -> r.bootHooks().getOrDefault(h.name(), 0L) != 0)) {
                rows.add(new Row("hook calls at boot", h.name(), "calls", r -> Long.toString(r.bootHooks().getOrDefault(h.name(), 0L))));
            }
        }
        for (Hook h : Hook.values()) {
            if (reports.stream().anyMatch(r -> steady(r, h.name()) != 0)) {
                rows.add(new Row("hook calls after boot (steady state)", h.name(), "calls", r -> Long.toString(steady(r, h.name()))));
            }
        }
        for (String n : counters) {
            if (reports.stream().anyMatch(r -> r.bootCounters().getOrDefault(n, 0L) != 0)) {
                rows.add(new Row("backend counters at boot", n, "", r -> r.bootCounters().containsKey(n)
                        ? Long.toString(r.bootCounters().get(n)) : ""));
            }
        }
        for (String n : counters) {
            rows.add(new Row("backend counters after boot (steady state)", n, "", r -> r.counters().containsKey(n)
                    ? Long.toString(r.counters().get(n) - r.bootCounters().getOrDefault(n, 0L)) : ""));
        }
        for (String t : List.of("lookups", "misses", "walks", "walk-references", "flushes", "global-flushes", "invlpg")) {
            rows.add(new Row("TLB (all vCPUs)", t, t.equals("walk-references") ? "memory references" : t,
                    r -> Long.toString(r.tlbTotals().getOrDefault(t, 0L))));
        }
        rows.add(new Row("page tables", "frames after boot", "frames", r -> Long.toString(r.bootFrames())));
        rows.add(new Row("page tables", "frames at the end", "frames", r -> Long.toString(r.frames())));
        rows.add(new Row("checks", "violations", "", r -> r.violations().isEmpty() ? "none"
                : r.violations().size() + " (" + r.violations().get(0).rule() + ")"));
        rows.add(new Row("checks", "audit findings", "", r -> r.findings().isEmpty() ? "none"
                : r.findings().size() + " (" + r.findings().get(0).ruleId() + ")"));
        rows.add(new Row("checks", "guest BUG", "", r -> r.bug() == null ? "none" : r.bug()));
        rows.add(new Row("checks", "hooks balanced", "", r -> r.balanced() ? "yes" : "NO"));
        return rows;
    }

    /**
     * A hook's calls after boot.
     *
     * @param r    the report
     * @param hook the hook's name
     * @return its calls over the run less those at boot
     */
    static long steady(RunReport r, String hook) {
        return r.hooks().getOrDefault(hook, 0L) - r.bootHooks().getOrDefault(hook, 0L);
    }

    /**
     * Appends the table.
     *
     * @param c  the comparison
     * @param sb the page
     */
    static void append(Comparison c, StringBuilder sb) {
        sb.append("<section id=\"side-by-side\">\n<h2>Side by side</h2>\n<p class=\"meta\">Each paging mode a group of columns, "
                + "one per backend. Boot is counted apart from the steady state after it. <span class=\"d\">&#160;Marked&#160;</span> "
                + "cells differ from the mode's first backend.</p>\n<div class=\"scroll\"><table class=\"side\">\n<tr><th class=\"l\"></th>");
        for (Comparison.ModeSection s : c.modes()) {
            sb.append("<th class=\"mode\" colspan=\"").append(s.runs().size()).append("\">").append(Html.escape(s.mode().configName()))
                    .append("</th>");
        }
        sb.append("</tr>\n<tr><th class=\"l\"></th>");
        for (Comparison.ModeSection s : c.modes()) {
            for (int i = 0; i < s.runs().size(); i++) {
                sb.append("<th").append(i == 0 ? " class=\"first\"" : "").append(">").append(Html.escape(s.runs().get(i).backend())).append("</th>");
            }
        }
        sb.append("</tr>\n");
        int columns = 1 + c.modes().stream().mapToInt(s -> s.runs().size()).sum();
        String group = null;
        for (Row row : rows(c)) {
            if (!row.group().equals(group)) {
                group = row.group();
                sb.append("<tr class=\"sec\"><td colspan=\"").append(columns).append("\">").append(Html.escape(group)).append("</td></tr>\n");
            }
            sb.append("<tr").append(row.differs(c) ? " class=\"differs\"" : "").append("><td class=\"l\">").append(Html.escape(row.label()))
                    .append("</td>");
            for (Comparison.ModeSection s : c.modes()) {
                List<String> cells = row.cells(s);
                String first = null;
                for (int i = 0; i < cells.size(); i++) {
                    boolean ran = s.runs().get(i).report() != null;
                    String cell = ran ? cells.get(i) : (row.label().equals("status") ? "skipped" : "");
                    if (first == null && ran) {
                        first = cell;
                    }
                    List<String> classes = new ArrayList<>();
                    if (i == 0) {
                        classes.add("first");
                    }
                    if (ran && first != null && !cell.equals(first)) {
                        classes.add("d");
                    }
                    sb.append("<td").append(classes.isEmpty() ? "" : " class=\"" + String.join(" ", classes) + "\"").append(">")
                            .append(Html.escape(cell)).append("</td>");
                }
            }
            sb.append("</tr>\n");
        }
        sb.append("<tr class=\"sec\"><td colspan=\"").append(columns).append("\">translations</td></tr>\n<tr><td class=\"l\">verdict</td>");
        for (Comparison.ModeSection s : c.modes()) {
            for (int i = 0; i < s.runs().size(); i++) {
                Comparison.BackendRun r = s.runs().get(i);
                String v = r.translationVerdict(r == s.reference());
                boolean good = v.equals("AGREED") || v.equals("reference") || v.isEmpty();
                sb.append("<td class=\"").append(i == 0 ? "first " : "").append(good ? "" : "bad").append("\">").append(Html.escape(v))
                        .append("</td>");
            }
        }
        sb.append("</tr>\n</table></div>\n</section>\n");
    }
}
