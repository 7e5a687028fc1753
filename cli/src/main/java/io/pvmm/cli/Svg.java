package io.pvmm.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Inline SVG charts for the HTML report, drawn by hand so the report needs no script, style sheet or
 * font from anywhere: bars (one per backend, grouped by paging mode) and lines (one per backend over
 * the run). Axes carry their units, a scale turns logarithmic where values span orders of magnitude
 * ({@link ChartScale}), every bar and point names itself on hover (an SVG {@code <title>}), and a
 * legend lists only what is drawn.
 */
final class Svg {

    /** Backend colours, in column order; colour-blind safe (Okabe and Ito). */
    static final List<String> COLOURS = List.of("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000");
    private static final List<String> DASHES = List.of("", "6 3", "2 3", "8 3 2 3", "1 2", "4 4", "10 2", "3 1");

    /**
     * One bar or one line: a backend's value or values.
     *
     * @param name   the backend
     * @param colour its colour
     * @param dash   its line's dash pattern (empty: solid)
     */
    record Series(String name, String colour, String dash) {

        /**
         * The series of the i-th backend.
         *
         * @param name the backend
         * @param i    its column
         * @return the series
         */
        static Series of(String name, int i) {
            return new Series(name, COLOURS.get(i % COLOURS.size()), DASHES.get(i % DASHES.size()));
        }
    }

    private Svg() {
    }

    /**
     * Horizontal bars, one per backend, each labelled with its value.
     *
     * @param title  the chart's title
     * @param series the backends
     * @param values one value per backend, null where a backend lacks it
     * @return the SVG element
     */
    static String bars(String title, List<Series> series, List<Long> values) {
        return bars(title, "", List.of(""), series, List.of(values));
    }

    /**
     * Horizontal bars in groups (one group per paging mode), one bar per backend in each, on a scale
     * with an axis in the values' unit: linear, or logarithmic where the values span orders of
     * magnitude. Each bar names its backend, group and value on hover.
     *
     * @param title  the chart's title
     * @param unit   what the values count, for the axis (e.g. {@code calls})
     * @param groups the groups' labels, blank for one group without a label
     * @param series the backends
     * @param values per group, one value per backend, null where a backend lacks it
     * @return the SVG element
     */
    static String bars(String title, String unit, List<String> groups, List<Series> series, List<List<Long>> values) {
        int labelW = 96;
        int barW = 210;
        int rowH = 17;
        int groupH = groups.size() == 1 && groups.get(0).isEmpty() ? 0 : 15;
        int top = 22;
        List<Double> all = new ArrayList<>();
        values.forEach(vs -> vs.forEach(v -> {
            if (v != null) {
                all.add((double) v);
            }
        }));
        ChartScale scale = ChartScale.fit(all);
        int plotH = groups.size() * (groupH + rowH * series.size()) + 4;
        int width = labelW + barW + 64;
        int height = top + plotH + 34;
        StringBuilder sb = new StringBuilder();
        String label = title + (unit.isEmpty() ? "" : ", " + unit) + scale.note();
        sb.append(String.format(Locale.ROOT, "<svg class=\"bars\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", width, height, width, height, Html.escape(label)));
        sb.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"14\" class=\"title\">%s</text>", Html.escape(title)));
        int y = top;
        for (int g = 0; g < groups.size(); g++) {
            if (groupH > 0) {
                sb.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\" class=\"group\">%s</text>", y + 11, Html.escape(groups.get(g))));
                y += groupH;
            }
            for (int i = 0; i < series.size(); i++) {
                Long v = values.get(g).get(i);
                Series se = series.get(i);
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"label\" text-anchor=\"end\">%s</text>", labelW - 6,
                        y + 12, Html.escape(se.name())));
                if (v == null) {
                    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"none\">n/a</text>", labelW, y + 12));
                } else {
                    int w = (int) Math.round(scale.fraction(v) * barW);
                    if (v > 0) {
                        w = Math.max(1, w);
                    }
                    String hover = se.name() + (groups.get(g).isEmpty() ? "" : ", " + groups.get(g)) + ": " + v + (unit.isEmpty() ? "" : " " + unit);
                    sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"2\" fill=\"%s\">"
                            + "<title>%s</title></rect>", labelW, y + 2, w, rowH - 5, se.colour(), Html.escape(hover)));
                    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"value\">%s</text>", labelW + w + 4, y + 12, format(v)));
                }
                y += rowH;
            }
        }
        int axisY = top + plotH;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", labelW, axisY, labelW + barW,
                axisY));
        for (double t : scale.ticks()) {
            double x = labelW + scale.fraction(t) * barW;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"axis\"/>", x, axisY, x, axisY + 3));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>", x, axisY + 13,
                    tick(t)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>", labelW + barW / 2,
                axisY + 27, Html.escape((unit.isEmpty() ? "value" : unit) + scale.note())));
        return sb.append("</svg>").toString();
    }

    /**
     * Lines over the run, one per backend, with axes and a legend.
     *
     * @param title  the chart's title
     * @param xLabel what the x axis counts
     * @param series the backends
     * @param points per backend, its points as {@code {x, y}} pairs in x order (may be empty)
     * @param width  the chart's width in pixels
     * @return the SVG element
     */
    static String lines(String title, String xLabel, List<Series> series, List<List<long[]>> points, int width) {
        return lines(title, xLabel, "", series, points, List.of(), width);
    }

    /**
     * Lines over the run, one per backend, with axes in their units, each point named on hover, the
     * run's process events marked along the x axis, and a legend of what is drawn: the backends that
     * have points, and the kinds of event marked.
     *
     * @param title  the chart's title
     * @param xLabel what the x axis counts
     * @param yLabel what the y axis counts
     * @param series the backends
     * @param points per backend, its points as {@code {x, y}} pairs in x order (may be empty)
     * @param events process events to mark, by the operation after which they happened
     * @param width  the chart's width in pixels
     * @return the SVG element
     */
    static String lines(String title, String xLabel, String yLabel, List<Series> series, List<List<long[]>> points,
                        List<Timeline.Event> events, int width) {
        int left = 64;
        int right = 14;
        int top = 26;
        int plotH = 150;
        int marks = events.isEmpty() ? 0 : 12;
        int height = top + plotH + marks + 66;
        double maxX = 1;
        List<Double> ys = new ArrayList<>();
        for (List<long[]> ps : points) {
            for (long[] p : ps) {
                maxX = Math.max(maxX, p[0]);
                ys.add((double) p[1]);
            }
        }
        ChartScale scale = ChartScale.fit(ys);
        int plotW = width - left - right;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg class=\"lines\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", width, height, width, height, Html.escape(title + scale.note())));
        sb.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"14\" class=\"title\">%s</text>", Html.escape(title)));
        for (double t : scale.ticks()) {
            double y = top + plotH - plotH * scale.fraction(t);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>", left, y, left + plotW, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>", left - 4, y + 4,
                    tick(t)));
        }
        if (!yLabel.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%d\" class=\"tick\" text-anchor=\"middle\" transform=\"rotate(-90 12 %d)\">%s</text>",
                    top + plotH / 2, top + plotH / 2, Html.escape(yLabel + scale.note())));
        }
        int axisY = top + plotH;
        for (int i = 0; i <= 4; i++) {
            double x = left + plotW * i / 4.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>", x,
                    axisY + marks + 14, format(Math.round(maxX * i / 4)))); // operations are whole
        }
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", left, axisY, left + plotW, axisY));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>", left + plotW / 2,
                axisY + marks + 28, Html.escape(xLabel)));
        Set<String> kinds = new LinkedHashSet<>();
        for (Timeline.Event e : events) {
            kinds.add(e.kind());
            double x = left + plotW * e.operation() / maxX;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\">"
                    + "<title>%s</title></line>", x, axisY + 2, x, axisY + 10, eventColour(e.kind()), Html.escape(e.describe())));
        }
        List<Series> drawn = new ArrayList<>();
        for (int s = 0; s < series.size(); s++) {
            List<long[]> ps = points.get(s);
            if (ps.isEmpty()) {
                continue;
            }
            Series se = series.get(s);
            drawn.add(se);
            StringBuilder path = new StringBuilder();
            for (long[] p : ps) {
                path.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + plotW * p[0] / maxX, top + plotH - plotH * scale.fraction(p[1])));
            }
            long[] last = ps.get(ps.size() - 1);
            sb.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s>"
                    + "<title>%s</title></polyline>", path.toString().trim(), se.colour(), s == 0 ? "3" : "2",
                    se.dash().isEmpty() ? "" : " stroke-dasharray=\"" + se.dash() + "\"",
                    Html.escape(se.name() + ": " + last[1] + " " + yLabel + " after " + last[0] + " " + xLabel)));
            int step = Math.max(1, ps.size() / 40); // at most about 40 hover points a line
            for (int i = 0; i < ps.size(); i += step) {
                long[] p = ps.get(i);
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"><title>%s</title></circle>",
                        left + plotW * p[0] / maxX, top + plotH - plotH * scale.fraction(p[1]), se.colour(),
                        Html.escape(se.name() + ": " + p[1] + " " + yLabel + " after " + p[0] + " " + xLabel)));
            }
        }
        int lx = left;
        int ly = height - 8;
        for (Series se : drawn) {
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"%s/>", lx, ly - 4,
                    lx + 18, ly - 4, se.colour(), se.dash().isEmpty() ? "" : " stroke-dasharray=\"" + se.dash() + "\""));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"label\">%s</text>", lx + 22, ly, Html.escape(se.name())));
            lx += 34 + 7 * se.name().length();
        }
        for (String kind : kinds) {
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>", lx + 4, ly - 9,
                    lx + 4, ly + 1, eventColour(kind)));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"label\">%s</text>", lx + 10, ly, Html.escape(kind)));
            lx += 22 + 7 * kind.length();
        }
        return sb.append("</svg>").toString();
    }

    /** The colour of a process event's mark: process creation, exec and exit each their own. */
    static String eventColour(String kind) {
        return switch (kind) {
            case "exec" -> "#7A3E9D";
            case "exit" -> "#B00020";
            default -> "#2E7D32"; // spawn, fork, clone
        };
    }

    /**
     * An axis tick: a whole number as {@link #format(long)} writes it, a fraction with up to two
     * decimals, so a small scale (0, 0.25, 0.5, ...) does not read as "0, 0, 0".
     *
     * @param v the tick's value
     * @return its label
     */
    static String tick(double v) {
        if (v == Math.rint(v) || Math.abs(v) >= 1000) {
            return format(Math.round(v));
        }
        return String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "");
    }

    /**
     * A count for a chart: {@code 1234}, {@code 12.3k}, {@code 4.5M}.
     *
     * @param v the count
     * @return the short form
     */
    static String format(long v) {
        if (Math.abs(v) < 10_000) {
            return Long.toString(v);
        }
        if (Math.abs(v) < 10_000_000) {
            return String.format(Locale.ROOT, "%.1fk", v / 1000.0);
        }
        return String.format(Locale.ROOT, "%.1fM", v / 1_000_000.0);
    }
}
