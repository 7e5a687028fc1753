package io.pvmm.cli;

import io.pvmm.guest.run.RunReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A comparison as one self-contained HTML page: no script, no external style sheet, font or image;
 * charts are inline SVG. Per paging mode: a verdict per backend, the side-by-side table, a bar chart
 * per count (one bar per backend), and the hook calls and counters over the run (one line per
 * backend); then the detection matrix of injected bugs.
 */
final class CompareHtml {

    private static final String STYLE = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:24px auto;max-width:1320px;padding:0 16px}
            h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:2px solid #ddd;padding-bottom:4px}
            h3{font-size:15px;margin:20px 0 8px;color:#444}.meta{color:#666;margin:0 0 16px}
            .cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:180px;border-top:5px solid var(--c)}
            .card b{font-size:16px}.card div{margin-top:2px}
            .ok{color:#0a7a2f;font-weight:600}.bad{color:#b00020;font-weight:600}.muted{color:#888}
            table{border-collapse:collapse;margin:4px 0 8px}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
            th{background:#f6f6f6}td.l,th.l{text-align:left}tr.sec td{background:#fafafa;font-weight:600;text-align:left;color:#555}
            .split{display:flex;gap:28px;align-items:flex-start}.split>div:last-child{flex:1}
            .grid{display:flex;flex-wrap:wrap;gap:10px 18px}.grid svg{border:1px solid #f0f0f0;border-radius:6px;padding:4px}
            svg text{font:11px system-ui,sans-serif;fill:#333}svg .title{font-weight:600;font-size:12px}svg .value{fill:#555}svg .none{fill:#aaa}
            svg .grid{stroke:#eee}svg .axis{stroke:#999}svg .tick{fill:#777;font-size:10px}
            .matrix td{text-align:left}.caught{background:#e3f4e8}.guest{background:#fff4d6}.missed{background:#fde2e4}.skip{color:#aaa}
            pre.failure{white-space:pre-wrap;max-width:560px;color:#b00020;font-size:12px;margin:6px 0}
            footer{margin-top:40px;color:#999;font-size:12px}
            """;

    private CompareHtml() {
    }

    /**
     * Renders a comparison.
     *
     * @param c the comparison
     * @return the page
     */
    static String render(Comparison c) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>pvmm compare: ")
                .append(Html.escape(c.workload())).append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        sb.append("<h1>pvmm compare: ").append(Html.escape(c.workload())).append("</h1>\n");
        List<String> backends = c.modes().isEmpty() ? List.of()
                : c.modes().get(0).runs().stream().map(Comparison.BackendRun::backend).toList();
        sb.append("<p class=\"meta\">seed ").append(c.seed()).append(" &#183; ").append(c.vcpus()).append(c.vcpus() == 1 ? " vCPU" : " vCPUs")
                .append(" &#183; backends ").append(Html.escape(String.join(", ", backends))).append(" &#183; modes ")
                .append(Html.escape(c.modes().stream().map(m -> m.mode().configName()).collect(Collectors.joining(", "))))
                .append("</p>\n");
        for (Comparison.ModeSection section : c.modes()) {
            mode(section, sb);
        }
        if (!c.bugs().isEmpty()) {
            matrix(c, sb);
        }
        sb.append("<footer>pvmm ").append(Html.escape(VersionProvider.projectVersion()))
                .append(" &#183; translations are compared page by page before shutdown, frames by identity; see docs/cli.md</footer>\n");
        return sb.append("</body>\n</html>\n").toString();
    }

    private static void mode(Comparison.ModeSection section, StringBuilder sb) {
        List<Comparison.BackendRun> runs = section.runs();
        List<Svg.Series> series = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            series.add(Svg.Series.of(runs.get(i).backend(), i));
        }
        sb.append("<section>\n<h2>").append(Html.escape(section.mode().configName())).append(" mode</h2>\n<div class=\"cards\">\n");
        Comparison.BackendRun reference = section.reference();
        for (int i = 0; i < runs.size(); i++) {
            card(runs.get(i), series.get(i), runs.get(i) == reference, sb);
        }
        sb.append("</div>\n<div class=\"split\">\n<div>\n<h3>Side by side</h3>\n");
        table(section, sb);
        sb.append("</div>\n<div>\n<h3>Each count, one bar per backend</h3>\n<div class=\"grid\">\n");
        for (CompareTable.Row row : CompareTable.rows(section)) {
            List<Long> values = new ArrayList<>();
            boolean numeric = false;
            for (String cell : row.cells()) {
                Long v = parse(cell);
                values.add(v);
                numeric |= v != null;
            }
            if (numeric && !row.label().equals("operations")) {
                sb.append(Svg.bars(row.section() + ": " + row.label(), series, values)).append('\n');
            }
        }
        sb.append("</div>\n</div>\n</div>\n<h3>Over the run</h3>\n<div class=\"grid\">\n");
        sb.append(Svg.lines("hook calls so far (all kinds)", "operations applied", series, points(runs, null), 640)).append('\n');
        for (String counter : section.counterNames()) {
            List<List<long[]>> ps = points(runs, counter);
            if (ps.stream().flatMap(List::stream).anyMatch(p -> p[1] != 0)) { // a line along zero says nothing
                sb.append(Svg.lines(counter, "operations applied", series, ps, 420)).append('\n');
            }
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

    private static List<List<long[]>> points(List<Comparison.BackendRun> runs, String counter) {
        List<List<long[]>> all = new ArrayList<>();
        for (Comparison.BackendRun r : runs) {
            List<long[]> ps = new ArrayList<>();
            if (r.timeline() != null) {
                for (Timeline.Sample s : r.timeline().samples()) {
                    if (counter == null) {
                        ps.add(new long[] {s.operations(), s.totalHooks()});
                    } else if (s.counters().containsKey(counter)) {
                        ps.add(new long[] {s.operations(), s.counters().get(counter)});
                    }
                }
            }
            all.add(ps);
        }
        return all;
    }

    private static void card(Comparison.BackendRun r, Svg.Series s, boolean reference, StringBuilder sb) {
        sb.append("<div class=\"card\" style=\"--c:").append(s.colour()).append("\"><b>").append(Html.escape(r.backend())).append("</b>");
        if (r.skipped() != null) {
            sb.append("<div class=\"muted\">skipped: ").append(Html.escape(r.skipped())).append("</div></div>\n");
            return;
        }
        RunReport rep = r.report();
        String verdict = r.translationVerdict(reference);
        verdictLine(sb, "translations", verdict, verdict.equals("AGREED") || verdict.equals("reference"));
        verdictLine(sb, "violations", rep.violations().isEmpty() ? "none" : rep.violations().size() + " (" + rep.violations().get(0).rule() + ")",
                rep.violations().isEmpty());
        verdictLine(sb, "audit", rep.findings().isEmpty() ? "clean" : rep.findings().size() + " findings", rep.findings().isEmpty());
        verdictLine(sb, "hooks balanced", rep.balanced() ? "yes" : "NO", rep.balanced());
        if (rep.failure() != null) {
            sb.append("<pre class=\"failure\">").append(Html.escape(RunFailures.failure(rep).getMessage())).append("</pre>");
        }
        sb.append("<div class=\"muted\">").append(rep.elapsedMillis()).append(" ms, ").append(rep.operations()).append(" operations</div></div>\n");
    }

    private static void verdictLine(StringBuilder sb, String what, String value, boolean good) {
        sb.append("<div>").append(what).append(": <span class=\"").append(good ? "ok" : "bad").append("\">").append(Html.escape(value))
                .append("</span></div>");
    }

    private static void table(Comparison.ModeSection section, StringBuilder sb) {
        sb.append("<table>\n<tr><th class=\"l\"></th>");
        section.runs().forEach(r -> sb.append("<th>").append(Html.escape(r.backend())).append("</th>"));
        sb.append("</tr>\n");
        String current = null;
        for (CompareTable.Row row : CompareTable.rows(section)) {
            if (!row.section().equals(current)) {
                current = row.section();
                sb.append("<tr class=\"sec\"><td colspan=\"").append(row.cells().size() + 1).append("\">").append(Html.escape(current))
                        .append("</td></tr>\n");
            }
            sb.append("<tr><td class=\"l\">").append(Html.escape(row.label())).append("</td>");
            row.cells().forEach(cell -> sb.append("<td>").append(Html.escape(cell)).append("</td>"));
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    private static void matrix(Comparison c, StringBuilder sb) {
        sb.append("<section>\n<h2>Detection matrix</h2>\n<p class=\"meta\">Each guest bug injected in its own run per backend: "
                + "<span class=\"caught\">&#160;caught by the backend (violation or audit, with its rule)&#160;</span> "
                + "<span class=\"guest\">&#160;caught by the guest's own BUG check&#160;</span> "
                + "<span class=\"missed\">&#160;missed&#160;</span></p>\n");
        Map<String, Map<String, Comparison.BugCell>> rows = new LinkedHashMap<>();
        List<String> backends = new ArrayList<>();
        for (Comparison.BugCell cell : c.bugs()) {
            rows.computeIfAbsent(cell.bug() + " (" + cell.mode().configName() + ")", k -> new LinkedHashMap<>()).put(cell.backend(), cell);
            if (!backends.contains(cell.backend())) {
                backends.add(cell.backend());
            }
        }
        sb.append("<table class=\"matrix\">\n<tr><th class=\"l\">guest bug</th>");
        backends.forEach(b -> sb.append("<th class=\"l\">").append(Html.escape(b)).append("</th>"));
        sb.append("</tr>\n");
        rows.forEach((bug, cells) -> {
            sb.append("<tr><td>").append(Html.escape(bug)).append("</td>");
            for (String b : backends) {
                Comparison.BugCell cell = cells.get(b);
                String cls = cell == null ? "skip" : switch (cell.caught()) {
                    case "violation", "audit" -> "caught";
                    case "guest BUG" -> "guest";
                    case "skipped" -> "skip";
                    default -> "missed";
                };
                String text = cell == null ? "" : cell.caughtByBackend() ? cell.caught() + ": " + cell.rules() : cell.caught();
                sb.append("<td class=\"").append(cls).append("\" title=\"").append(cell == null ? "" : Html.escape(cell.rules())).append("\">")
                        .append(Html.escape(text)).append("</td>");
            }
            sb.append("</tr>\n");
        });
        sb.append("</table>\n</section>\n");
    }
}
