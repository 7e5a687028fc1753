package io.pvmm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A comparison as one self-contained HTML page, laid out for reading: no script, no external style
 * sheet, font or image, and nothing loaded from the network; charts are inline SVG. First what differs
 * between the backends ({@link HtmlSummary}), then the detection matrix of injected bugs
 * ({@link HtmlMatrix}), a replayed trace's metadata ({@link TraceSummary}), a chart for each count on
 * which the backends differ, the hook calls over the run with process events marked
 * ({@link HtmlCharts}), and last every count with the paging modes side by side and boot apart from
 * the steady state ({@link HtmlSideBySide}).
 */
final class CompareHtml {

    private static final String STYLE = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:24px auto;max-width:1320px;padding:0 16px}
            h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:30px 0 8px;border-bottom:2px solid #ddd;padding-bottom:4px}
            h3{font-size:15px;margin:18px 0 6px;color:#444}.meta{color:#666;margin:0 0 12px}
            .ok{color:#0a7a2f;font-weight:600}.bad{color:#b00020;font-weight:600}.muted{color:#888}
            .scroll{overflow-x:auto;max-width:100%}
            table{border-collapse:collapse;margin:4px 0 8px}td,th{padding:3px 9px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
            th{background:#f6f6f6}td.l,th.l{text-align:left}tr.sec td{background:#fafafa;font-weight:600;text-align:left;color:#555}
            table.verdicts td{white-space:normal;max-width:560px}table.diffs td.ratio{font-weight:600}
            table.side th.mode{text-align:center;border-bottom:2px solid #bbb}table.side .first{border-left:2px solid #ddd}
            table.side tr.differs td.l{font-weight:600}td.d,span.d{background:#fff0c2}
            .grid{display:flex;flex-wrap:wrap;gap:10px 18px}.grid svg{border:1px solid #f0f0f0;border-radius:6px;padding:4px;max-width:100%;height:auto}
            svg text{font:11px system-ui,sans-serif;fill:#333}svg .title{font-weight:600;font-size:12px}svg .value{fill:#555}svg .none{fill:#aaa}
            svg .group{font-weight:600;fill:#666}svg .grid{stroke:#eee}svg .axis{stroke:#999}svg .tick{fill:#777;font-size:10px}
            .matrix td{text-align:left}.legend span{display:inline-block;margin:2px 6px 2px 0;padding:1px 4px;border-radius:3px}
            .violation,.audit{background:#d6f0dd}.audit{background:#e6f4d0}.model{background:#fff4d6}.guestbug{background:#fde7c8}
            .failure{background:#f6d0d6}.missed{background:#fde2e4}.skip{color:#aaa}tr.guestrow td{border-top:1px solid #ccc}
            pre.failure{white-space:pre-wrap;max-width:900px;color:#b00020;background:none;font-size:12px;margin:6px 0}
            pre.comments{background:#f7f7f7;padding:8px 10px;border-radius:6px;font-size:12px;white-space:pre-wrap}
            footer{margin-top:40px;color:#999;font-size:12px}
            """;

    private CompareHtml() {
    }

    /**
     * Renders a comparison of a built-in workload.
     *
     * @param c the comparison
     * @return the page
     */
    static String render(Comparison c) {
        return render(c, null);
    }

    /**
     * Renders a comparison.
     *
     * @param c     the comparison
     * @param trace the replayed trace's summary, or null for a built-in workload
     * @return the page
     */
    static String render(Comparison c, TraceSummary trace) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>pvmm compare: ")
                .append(Html.escape(c.workload())).append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        sb.append("<h1>pvmm compare: ").append(Html.escape(c.workload())).append("</h1>\n");
        List<String> backends = c.modes().isEmpty() ? List.of()
                : c.modes().get(0).runs().stream().map(Comparison.BackendRun::backend).toList();
        sb.append("<p class=\"meta\">seed ").append(c.seed()).append(" &#183; ").append(c.vcpus()).append(c.vcpus() == 1 ? " vCPU" : " vCPUs")
                .append(" &#183; backends ").append(Html.escape(String.join(", ", backends))).append(" &#183; modes ")
                .append(Html.escape(c.modes().stream().map(m -> m.mode().configName()).collect(Collectors.joining(", "))))
                .append("</p>\n");
        List<Svg.Series> series = new ArrayList<>();
        for (int i = 0; i < backends.size(); i++) {
            series.add(Svg.Series.of(backends.get(i), i));
        }
        HtmlSummary.append(c, sb);
        // the cost model's summary (what each backend's run costs) belongs here, beside the verdicts, when compare has one
        failures(c, sb);
        if (!c.bugs().isEmpty()) {
            HtmlMatrix.append(c, sb);
        }
        if (trace != null) {
            trace.append(sb);
        }
        HtmlCharts.appendDifferences(c, series, sb);
        HtmlCharts.appendTimelines(c, series, sb);
        HtmlSideBySide.append(c, sb);
        sb.append("<footer>pvmm ").append(Html.escape(VersionProvider.projectVersion()))
                .append(" &#183; translations are compared page by page before shutdown, frames by identity; see docs/cli.md</footer>\n");
        return sb.append("</body>\n</html>\n").toString();
    }

    /** Each run that failed, with its error as pvmm run prints it: the code, the backend's exception and its cause. */
    private static void failures(Comparison c, StringBuilder sb) {
        StringBuilder failed = new StringBuilder();
        for (Comparison.ModeSection s : c.modes()) {
            for (Comparison.BackendRun r : s.runs()) {
                if (r.report() != null && r.report().failure() != null) {
                    failed.append("<h3>").append(Html.escape(r.backend())).append(", ").append(Html.escape(s.mode().configName()))
                            .append("</h3>\n<pre class=\"failure\">").append(Html.escape(RunFailures.failure(r.report()).getMessage()))
                            .append("</pre>\n");
                }
            }
        }
        if (failed.length() > 0) {
            sb.append("<section id=\"failures\">\n<h2>Failures</h2>\n").append(failed).append("</section>\n");
        }
    }
}
