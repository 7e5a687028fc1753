package io.pvmm.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one run's results into the report: reads {@code jmh.json} (JMH), {@code footprint.json}
 * (the heap tool), {@code startup.json} (hyperfine) and {@code machine.txt} from a results directory
 * and writes {@code summary.md} (the tables, targets first), {@code ratios.svg} and
 * {@code slopes.svg} beside them.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.pvmm.bench.report.Charts benchmarks/results/quick [docs/performance.md]};
 * with a second argument, the summary also replaces what that page holds between
 * {@value #BEGIN} and {@value #END}, so the page shows exactly the run's figures.
 */
public final class Charts {

    /** Where the generated results start in a docs page. */
    public static final String BEGIN = "<!-- results:begin -->";
    /** Where they end. */
    public static final String END = "<!-- results:end -->";

    private Charts() {
    }

    /**
     * Writes the report.
     *
     * @param args the results directory
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Charts RESULTS_DIRECTORY [DOCS_PAGE]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        String summary = write(dir);
        if (args.length == 2) {
            splice(Path.of(args[1]), summary);
        }
        System.out.println(summary);
    }

    /** The {@code auditBackend} values of the run's audit slopes, in the order they ran. */
    static List<String> auditedIn(JmhResults jmh) {
        List<String> backends = new ArrayList<>();
        for (Result r : jmh.of("AuditSlopeBenchmark.audit")) {
            String b = r.param("auditBackend");
            if (b != null && !backends.contains(b)) {
                backends.add(b);
            }
        }
        return backends;
    }

    /**
     * Replaces the generated part of a docs page.
     *
     * @param page    the page, holding {@link #BEGIN} and {@link #END}
     * @param summary the new results
     * @throws IOException if the page cannot be read or written, or lacks the markers
     */
    static void splice(Path page, String summary) throws IOException {
        String text = Files.readString(page);
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        if (b < 0 || e < b) {
            throw new IOException(page + " has no " + BEGIN + " ... " + END + " section");
        }
        Files.writeString(page, text.substring(0, b + BEGIN.length()) + "\n\n" + summary.strip() + "\n\n" + text.substring(e));
    }

    /**
     * Writes the report into a results directory.
     *
     * @param dir the directory
     * @return the Markdown summary
     * @throws IOException if a file cannot be read or written
     */
    public static String write(Path dir) throws IOException {
        JmhResults jmh = JmhResults.read(dir.resolve("jmh.json"));
        List<TargetLine> targets = new ArrayList<>();
        Markdown body = new Markdown();
        Report report = new Report(jmh, targets);
        report.hookCost(body);
        new ResourceReport(targets).memory(body, dir.resolve("footprint.json"));
        SlopeReport slopes = new SlopeReport(jmh, targets);
        List<SlopeReport.Spec> specs = new ArrayList<>(List.of(
                new SlopeReport.Spec("fork+exit vs parent's pte pages (2-level)", "ForkSlopeBenchmark.forkExit", "tables",
                        "pte page", JmhResults.param("mode", "two-level"), false),
                new SlopeReport.Spec("fork+exit vs parent's pte pages (PAE)", "ForkSlopeBenchmark.forkExit", "tables",
                        "pte page", JmhResults.param("mode", "pae"), false),
                new SlopeReport.Spec("change_page_attr vs pgd_list length (2-level)", "SetPmdPteSlopeBenchmark.changePageAttr",
                        "processes", "listed root", r -> true, false),
                new SlopeReport.Spec("hook dispatch vs providers discovered", "DispatchBenchmark.setPte", "providers",
                        "provider", r -> true, true)));
        for (String backend : auditedIn(jmh)) { // every backend the run audited, as run.sh found them
            specs.add(specs.size() - 1, new SlopeReport.Spec(backend + " audit vs live processes", "AuditSlopeBenchmark.audit",
                    "processes", "process", JmhResults.param("auditBackend", backend), false));
        }
        slopes.write(body, specs);
        report.smp(body);
        report.backends(body);
        new ResourceReport(targets).startup(body, dir.resolve("startup.json"));

        Markdown md = new Markdown();
        Path machine = dir.resolve("machine.txt");
        if (Files.exists(machine)) {
            md.para("Machine: " + String.join("; ", Files.readAllLines(machine)) + ".");
        }
        List<List<String>> rows = new ArrayList<>();
        for (TargetLine t : targets) {
            rows.add(List.of(t.target(), t.figures(), t.verdict().toString()));
        }
        md.table(List.of("target", "measured", "verdict"), rows);
        String summary = md + body.toString();
        Files.writeString(dir.resolve("summary.md"), summary);
        Files.writeString(dir.resolve("ratios.svg"), SvgChart.ratios("pvmm: ratios measured in one run (dot ± JMH error; target shaded)",
                report.bars()));
        Files.writeString(dir.resolve("slopes.svg"), SvgChart.slopes("pvmm: time per operation against size (log-log)",
                slopes.titles(), slopes.fitted()));
        return summary;
    }
}
