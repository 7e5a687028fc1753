package io.pvmm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The HTML report's charts: a bar chart for each count on which the backends differ (a count all agree
 * on says nothing drawn), the paging modes grouped in each; then, per mode, hook calls over the run with
 * the workload's process events marked along it.
 */
final class HtmlCharts {

    /** Rows never charted: the same on every backend by construction, or wall-clock time, which is noise at this size. */
    private static final Set<String> NOT_CHARTED = Set.of("operations", "time (ms)", "status");

    private HtmlCharts() {
    }

    /**
     * Appends the charts of counts.
     *
     * @param c      the comparison
     * @param series the backends, in column order
     * @param sb     the page
     * @return how many charts were drawn
     */
    static int appendDifferences(Comparison c, List<Svg.Series> series, StringBuilder sb) {
        List<String> modes = c.modes().stream().map(m -> m.mode().configName()).toList();
        StringBuilder charts = new StringBuilder();
        int drawn = 0;
        for (HtmlSideBySide.Row row : HtmlSideBySide.rows(c)) {
            if (row.unit().isEmpty() && !row.group().startsWith("backend counters") || NOT_CHARTED.contains(row.label()) || !row.differs(c)) {
                continue;
            }
            List<List<Long>> values = new ArrayList<>();
            int present = 0;
            for (Comparison.ModeSection s : c.modes()) {
                List<Long> vs = new ArrayList<>();
                int here = 0;
                for (String cell : row.cells(s)) {
                    Long v = parse(cell);
                    vs.add(v);
                    here += v == null ? 0 : 1;
                }
                present = Math.max(present, here);
                values.add(vs);
            }
            if (present < 2) { // a count only one backend keeps is that backend's, not a difference
                continue;
            }
            String unit = row.unit().isEmpty() ? "count" : row.unit();
            charts.append(Svg.bars(row.group() + ": " + row.label(), unit, modes, series, values)).append('\n');
            drawn++;
        }
        sb.append("<section id=\"charts\">\n<h2>Where the backends differ</h2>\n");
        if (drawn == 0) {
            sb.append("<p class=\"meta\">No count differs between the backends that ran, so no chart is drawn.</p>\n");
        } else {
            sb.append("<p class=\"meta\">One chart per count on which the backends differ; a chart whose values span two orders of "
                    + "magnitude or more is on a log scale. Hover a bar for its value.</p>\n<div class=\"grid\">\n").append(charts)
                    .append("</div>\n");
        }
        sb.append("</section>\n");
        return drawn;
    }

    /**
     * Appends, per mode, the hook calls over the run, with the process events marked.
     *
     * @param c      the comparison
     * @param series the backends, in column order
     * @param sb     the page
     */
    static void appendTimelines(Comparison c, List<Svg.Series> series, StringBuilder sb) {
        sb.append("<section id=\"over-the-run\">\n<h2>Over the run</h2>\n<div class=\"grid\">\n");
        for (Comparison.ModeSection s : c.modes()) {
            List<List<long[]>> points = new ArrayList<>();
            List<Timeline.Event> events = List.of();
            long eventCount = 0;
            for (Comparison.BackendRun r : s.runs()) {
                List<long[]> ps = new ArrayList<>();
                if (r.timeline() != null) {
                    for (Timeline.Sample sample : r.timeline().samples()) {
                        ps.add(new long[] {sample.operations(), sample.totalHooks()});
                    }
                    if (events.isEmpty()) {
                        events = r.timeline().events();
                        eventCount = r.timeline().eventCount();
                    }
                }
                points.add(ps);
            }
            String title = s.mode().configName() + ": hook calls so far (all kinds)"
                    + (eventCount > events.size() ? ", first " + events.size() + " of " + eventCount + " process events marked" : "");
            sb.append(Svg.lines(title, "operations", "hook calls", series, points, events, 600)).append('\n');
        }
        sb.append("</div>\n</section>\n");
    }

    private static Long parse(String cell) {
        try {
            return cell.isEmpty() ? null : Long.parseLong(cell);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
