package io.pvmm.cli;

import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts for the HTML report, drawn by hand so the report needs no script, style sheet or
 * font from anywhere: bars (one per backend) and lines (one per backend over the run).
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
        int labelW = 70;
        int barW = 150;
        int rowH = 18;
        int top = 22;
        int width = labelW + barW + 70;
        int height = top + rowH * series.size() + 6;
        long max = values.stream().filter(v -> v != null).mapToLong(Long::longValue).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg class=\"bars\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", width, height, width, height, Html.escape(title)));
        sb.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"14\" class=\"title\">%s</text>", Html.escape(title)));
        for (int i = 0; i < series.size(); i++) {
            int y = top + i * rowH;
            Long v = values.get(i);
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"label\" text-anchor=\"end\">%s</text>", labelW - 6, y + 12,
                    Html.escape(series.get(i).name())));
            if (v == null) {
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"none\">n/a</text>", labelW, y + 12));
                continue;
            }
            int w = max == 0 ? 0 : (int) Math.max(v > 0 ? 1 : 0, Math.round((double) v / max * barW));
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"2\" fill=\"%s\"/>", labelW, y + 2, w,
                    rowH - 5, series.get(i).colour()));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"value\">%s</text>", labelW + w + 4, y + 12, format(v)));
        }
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
        int height = 220;
        int left = 58;
        int right = 12;
        int top = 26;
        int bottom = 46;
        double maxX = 1;
        double maxY = 1;
        for (List<long[]> ps : points) {
            for (long[] p : ps) {
                maxX = Math.max(maxX, p[0]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        maxY = niceCeiling(maxY);
        int plotW = width - left - right;
        int plotH = height - top - bottom;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg class=\"lines\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", width, height, width, height, Html.escape(title)));
        sb.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"14\" class=\"title\">%s</text>", Html.escape(title)));
        for (int i = 0; i <= 4; i++) {
            double yv = maxY * i / 4;
            double y = top + plotH - plotH * i / 4.0;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>", left, y, left + plotW, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>", left - 4, y + 4,
                    tick(yv)));
            double xv = maxX * i / 4;
            double x = left + plotW * i / 4.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>", x,
                    top + plotH + 14, format(Math.round(xv)))); // operations are whole
        }
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", left, top + plotH, left + plotW,
                top + plotH));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>", left + plotW / 2,
                top + plotH + 28, Html.escape(xLabel)));
        for (int s = 0; s < series.size(); s++) {
            List<long[]> ps = points.get(s);
            if (ps.isEmpty()) {
                continue;
            }
            StringBuilder path = new StringBuilder();
            for (long[] p : ps) {
                path.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + plotW * p[0] / maxX, top + plotH - plotH * p[1] / maxY));
            }
            Series se = series.get(s);
            sb.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s/>",
                    path.toString().trim(), se.colour(), s == 0 ? "3" : "2",
                    se.dash().isEmpty() ? "" : " stroke-dasharray=\"" + se.dash() + "\""));
        }
        int lx = left;
        for (Series se : series) {
            int ly = height - 8;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"%s/>", lx, ly - 4,
                    lx + 18, ly - 4, se.colour(), se.dash().isEmpty() ? "" : " stroke-dasharray=\"" + se.dash() + "\""));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"label\">%s</text>", lx + 22, ly, Html.escape(se.name())));
            lx += 34 + 7 * se.name().length();
        }
        return sb.append("</svg>").toString();
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
