package io.pvmm.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's two charts as standalone SVG: the ratios (a dot with its error bar per ratio, one
 * panel per group, each panel on its own scale with the target shaded), and the slopes (one log-log
 * panel per slope, time per operation against size).
 */
public final class SvgChart {

    private static final int WIDTH = 900;
    private static final int LABEL = 260;
    private static final int ROW = 22;
    private static final String FONT = "font-family=\"sans-serif\" font-size=\"12\"";

    private SvgChart() {
    }

    /**
     * The ratio chart.
     *
     * @param title the chart's title
     * @param bars  the ratios, grouped by {@link ChartBar#group()} in order of appearance
     * @return the SVG document
     */
    public static String ratios(String title, List<ChartBar> bars) {
        Map<String, List<ChartBar>> groups = new LinkedHashMap<>();
        bars.forEach(b -> groups.computeIfAbsent(b.group(), g -> new ArrayList<>()).add(b));
        int height = 40 + groups.size() * 50 + bars.size() * ROW;
        StringBuilder svg = header(height, title);
        int y = 50;
        int plotW = WIDTH - LABEL - 40;
        for (Map.Entry<String, List<ChartBar>> g : groups.entrySet()) {
            List<ChartBar> gb = g.getValue();
            double lo = Double.MAX_VALUE;
            double hi = -Double.MAX_VALUE;
            for (ChartBar b : gb) {
                lo = min(lo, b.ratio().low(), b.low());
                hi = max(hi, b.ratio().high(), b.high());
            }
            lo = Math.min(lo, 1);
            hi = Math.max(hi, 1);
            double pad = (hi - lo) * 0.08 + 1e-6;
            double x0 = lo - pad;
            double x1 = hi + pad;
            svg.append(text(10, y + 4, "<tspan font-weight=\"bold\">" + esc(g.getKey()) + "</tspan>", "start"));
            y += 14;
            int top = y;
            int bottom = y + gb.size() * ROW;
            ChartBar first = gb.get(0);
            if (!Double.isNaN(first.low())) {
                double bandHi = Double.isNaN(first.high()) ? x1 : first.high();
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#d9f2d9\"/>%n",
                        sx(first.low(), x0, x1, plotW), top, sx(bandHi, x0, x1, plotW) - sx(first.low(), x0, x1, plotW), bottom - top));
            }
            svg.append(line(sx(1, x0, x1, plotW), top, sx(1, x0, x1, plotW), bottom, "#999", "4 3"));
            for (ChartBar b : gb) {
                int cy = y + ROW / 2;
                svg.append(text(LABEL - 8, cy + 4, esc(b.label()), "end"));
                double cx = sx(b.ratio().value(), x0, x1, plotW);
                svg.append(line(sx(b.ratio().low(), x0, x1, plotW), cy, sx(b.ratio().high(), x0, x1, plotW), cy, "#1f4e9c", null));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%d\" r=\"4\" fill=\"#1f4e9c\"/>%n", cx, cy));
                svg.append(text((int) cx + 8, cy - 4, b.ratio().formatted(), "start"));
                y += ROW;
            }
            svg.append(line(LABEL, bottom, LABEL + plotW, bottom, "#333", null));
            svg.append(text(LABEL, bottom + 14, String.format(Locale.ROOT, "%.3f", x0), "start"));
            svg.append(text(LABEL + plotW, bottom + 14, String.format(Locale.ROOT, "%.3f", x1), "end"));
            y = bottom + 30;
        }
        return svg.append("</svg>\n").toString();
    }

    /**
     * The slope chart.
     *
     * @param title  the chart's title
     * @param titles each slope's title
     * @param slopes the slopes
     * @return the SVG document
     */
    public static String slopes(String title, List<String> titles, List<Slope> slopes) {
        int cols = 2;
        int panelW = (WIDTH - 60) / cols;
        int panelH = 220;
        int rows = (slopes.size() + cols - 1) / cols;
        StringBuilder svg = header(50 + Math.max(1, rows) * (panelH + 40), title);
        for (int i = 0; i < slopes.size(); i++) {
            int px = 40 + (i % cols) * (panelW + 20);
            int py = 50 + (i / cols) * (panelH + 40);
            panel(svg, titles.get(i), slopes.get(i), px, py, panelW - 40, panelH - 40);
        }
        return svg.append("</svg>\n").toString();
    }

    private static void panel(StringBuilder svg, String title, Slope s, int px, int py, int w, int h) {
        svg.append(text(px, py, "<tspan font-weight=\"bold\">" + esc(title) + "</tspan>", "start"));
        int top = py + 10;
        double nx0 = Math.log10(s.sizes().get(0));
        double nx1 = Math.log10(s.sizes().get(s.sizes().size() - 1));
        double ly0 = Double.MAX_VALUE;
        double ly1 = -Double.MAX_VALUE;
        for (Result r : s.results()) {
            ly0 = Math.min(ly0, Math.log10(Math.max(r.score() - r.error(), r.score() / 2)));
            ly1 = Math.max(ly1, Math.log10(r.score() + (Double.isNaN(r.error()) ? 0 : r.error())));
        }
        ly0 -= 0.1;
        ly1 += 0.1;
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n",
                px, top, w, h));
        String prev = null;
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < s.sizes().size(); i++) {
            Result r = s.results().get(i);
            double x = px + (Math.log10(s.sizes().get(i)) - nx0) / (nx1 - nx0) * w;
            double y = top + h - (Math.log10(r.score()) - ly0) / (ly1 - ly0) * h;
            path.append(prev == null ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ", x, y));
            prev = "";
            if (!Double.isNaN(r.error()) && r.error() > 0) {
                double ylo = top + h - (Math.log10(Math.max(r.score() - r.error(), r.score() / 2)) - ly0) / (ly1 - ly0) * h;
                double yhi = top + h - (Math.log10(r.score() + r.error()) - ly0) / (ly1 - ly0) * h;
                svg.append(line(x, ylo, x, yhi, "#1f4e9c", null));
            }
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#1f4e9c\"/>%n", x, y));
            svg.append(text((int) x, top + h + 14, Format.number(s.sizes().get(i)), "middle"));
        }
        svg.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"#1f4e9c\"/>\n");
        svg.append(text(px + 4, top + 14, Format.number(Math.pow(10, ly1)) + " " + s.results().get(0).unit(), "start"));
        svg.append(text(px + 4, top + h - 4, Format.number(Math.pow(10, ly0)), "start"));
        svg.append(text(px + w - 4, top + 14, String.format(Locale.ROOT, "exponent at top %.2f", s.exponent()), "end"));
    }

    private static StringBuilder header(int height, String title) {
        StringBuilder svg = new StringBuilder();
        svg.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" %s>%n",
                WIDTH, height, WIDTH, height, FONT));
        svg.append(String.format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        svg.append(text(10, 24, "<tspan font-size=\"15\" font-weight=\"bold\">" + esc(title) + "</tspan>", "start"));
        return svg;
    }

    private static double sx(double v, double x0, double x1, int plotW) {
        return LABEL + (v - x0) / (x1 - x0) * plotW;
    }

    private static double min(double a, double b, double c) {
        return Math.min(a, Math.min(b, Double.isNaN(c) ? b : c));
    }

    private static double max(double a, double b, double c) {
        return Math.max(a, Math.max(b, Double.isNaN(c) ? b : c));
    }

    private static String line(double xa, double ya, double xb, double yb, String color, String dash) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n",
                xa, ya, xb, yb, color, dash == null ? "" : " stroke-dasharray=\"" + dash + "\"");
    }

    private static String text(int x, int y, String content, String anchor) {
        return String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"%s\">%s</text>%n", x, y, anchor, content);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
