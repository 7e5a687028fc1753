package io.pvmm.cli;

import io.pvmm.guest.observe.Hook;
import io.pvmm.guest.run.RunReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A comparison as text: per paging mode a table with one column per backend (hook calls by kind, the
 * backends' counters, page-table frames, time, violations, audit findings, balance, translations), then
 * the detection matrix of injected bugs. {@link #rows} is shared with the HTML report.
 */
final class CompareTable {

    /**
     * One row of a table.
     *
     * @param section the group it belongs to, e.g. {@code hook calls}
     * @param label   what it shows
     * @param cells   one cell per backend, blank where a backend lacks the value
     */
    record Row(String section, String label, List<String> cells) {
    }

    private CompareTable() {
    }

    /**
     * The rows of one mode's table.
     *
     * @param section the mode's runs
     * @return the rows, hook kinds only where some backend saw a call
     */
    static List<Row> rows(Comparison.ModeSection section) {
        List<Comparison.BackendRun> runs = section.runs();
        List<Row> rows = new ArrayList<>();
        Comparison.BackendRun reference = section.reference();
        rows.add(row("run", "status", runs, r -> r.completed() ? "completed" : "STOPPED", "skipped"));
        rows.add(row("run", "kernel", runs, RunReport::kernel, ""));
        rows.add(row("run", "operations", runs, r -> Long.toString(r.operations()), ""));
        rows.add(row("run", "time (ms)", runs, r -> Long.toString(r.elapsedMillis()), ""));
        for (Hook h : Hook.values()) {
            boolean any = runs.stream().anyMatch(r -> r.report() != null && r.report().hooks().getOrDefault(h.name(), 0L) != 0);
            if (any) {
                rows.add(row("hook calls", h.name(), runs, r -> Long.toString(r.hooks().getOrDefault(h.name(), 0L)), ""));
            }
        }
        rows.add(row("hook calls", "total", runs, r -> Long.toString(r.hooks().values().stream().mapToLong(Long::longValue).sum()), ""));
        for (String name : section.counterNames()) {
            rows.add(row("backend counters", name, runs, r -> r.counters().containsKey(name) ? Long.toString(r.counters().get(name)) : "", ""));
        }
        rows.add(row("tlb", "lookups", runs, r -> Long.toString(tlb(r, "lookups")), ""));
        rows.add(row("tlb", "misses", runs, r -> Long.toString(tlb(r, "misses")), ""));
        rows.add(row("tlb", "walks", runs, r -> Long.toString(tlb(r, "walks")), ""));
        rows.add(row("tlb", "references per walk", runs, CompareTable::referencesPerWalk, ""));
        rows.add(row("tlb", "flushes (cr3, global, invlpg)", runs, r -> tlb(r, "flushes") + ", " + tlb(r, "global-flushes")
                + ", " + tlb(r, "invlpg"), ""));
        rows.add(row("page tables", "frames after boot", runs, r -> Long.toString(r.bootFrames()), ""));
        rows.add(row("page tables", "frames at the end", runs, r -> Long.toString(r.frames()), ""));
        rows.add(row("checks", "violations", runs, r -> r.violations().isEmpty() ? "none"
                : r.violations().size() + " (" + r.violations().get(0).rule() + ")", ""));
        rows.add(row("checks", "audit findings", runs, r -> r.findings().isEmpty() ? "none"
                : r.findings().size() + " (" + r.findings().get(0).ruleId() + ")", ""));
        rows.add(row("checks", "guest BUG", runs, r -> r.bug() == null ? "none" : "yes", ""));
        rows.add(row("checks", "hooks balanced", runs, r -> r.balanced() ? "yes" : "NO", ""));
        List<String> verdicts = new ArrayList<>();
        for (Comparison.BackendRun r : runs) {
            verdicts.add(r.translationVerdict(r == reference));
        }
        rows.add(new Row("checks", "translations", verdicts));
        return rows;
    }

    private static long tlb(RunReport r, String name) {
        return r.tlbTotals().getOrDefault(name, 0L);
    }

    /**
     * Memory references per walk: the guest's own (1-D) on bare hardware and under direct or shadow
     * paging; the 2-D walk's when the backend walks a nested table too ({@code nested-walks} and
     * {@code walk-references} among its counters).
     */
    static String referencesPerWalk(RunReport r) {
        Long nestedWalks = r.counters().get("nested-walks");
        Long nestedRefs = r.counters().get("walk-references");
        if (nestedWalks != null && nestedRefs != null && nestedWalks > 0) {
            return String.format(java.util.Locale.ROOT, "%.2f (2-D)", (double) nestedRefs / nestedWalks);
        }
        return String.format(java.util.Locale.ROOT, "%.2f (1-D)", r.referencesPerWalk());
    }

    private static Row row(String section, String label, List<Comparison.BackendRun> runs, Function<RunReport, String> cell,
                           String skipped) {
        List<String> cells = new ArrayList<>();
        for (Comparison.BackendRun r : runs) {
            cells.add(r.report() == null ? skipped : cell.apply(r.report()));
        }
        return new Row(section, label, cells);
    }

    /**
     * Prints a comparison.
     *
     * @param c   the comparison
     * @param out where to print
     */
    static void print(Comparison c, PrintWriter out) {
        for (Comparison.ModeSection section : c.modes()) {
            out.printf("%s, %s mode, seed %d, %d vCPU%s%n", c.workload(), section.mode().configName(), c.seed(), c.vcpus(),
                    c.vcpus() == 1 ? "" : "s");
            List<String> header = new ArrayList<>();
            section.runs().forEach(r -> header.add(r.backend()));
            table(header, rows(section), out);
            for (Comparison.BackendRun r : section.runs()) {
                if (r.skipped() != null) {
                    out.println("  " + r.backend() + ": skipped, " + r.skipped());
                }
                if (r.report() != null && r.report().failure() != null) {
                    out.println("  " + r.backend() + ": STOPPED, " + RunFailures.failure(r.report()).getMessage().replace("\n", "\n  "));
                }
                if (r.agreement() != null && !r.agreement().none()) {
                    out.println("  " + r.backend() + ": translations differ from " + section.reference().backend() + " in "
                            + r.agreement().count() + " pages, e.g.");
                    r.agreement().examples().forEach(e -> out.println("    " + e));
                }
            }
            out.println();
        }
        if (!c.bugs().isEmpty()) {
            printMatrix(c, out);
        }
    }

    /** The detection matrix as docs/detection-matrix.md shows it: a row per mode and backend, then the model's own checks. */
    private static void printMatrix(Comparison c, PrintWriter out) {
        out.println("Detection matrix: what caught each injected guest bug, by which rule (guest: the model's own checks)");
        out.print(c.matrix().text());
        out.println();
        if (!c.seeded().isEmpty()) {
            printSeeded(c, out);
        }
    }

    /** How often each backend caught each bug over the seeds, with the control beside it. */
    private static void printSeeded(Comparison c, PrintWriter out) {
        SeededRuns.Cell any = c.seeded().get(0);
        out.printf("Seeded runs: each bug on %d seeds from %d, on %d vCPU%s, and the same seeds without it (the control)%n",
                any.seeds(), c.seed(), c.vcpus(), c.vcpus() == 1 ? "" : "s");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("bug", "mode", "backend", "caught", "first seed", "without the bug", "seen"));
        for (SeededRuns.Cell s : c.seeded()) {
            List<String> seen = new ArrayList<>();
            s.seen().forEach((x, n) -> seen.add(x + " " + n));
            s.controlSeen().forEach((x, n) -> seen.add("without the bug: " + x + " " + n));
            rows.add(List.of(s.bug(), s.mode().configName(), s.backend(), s.caught() + "/" + s.seeds(),
                    s.firstSeed() == 0 ? "-" : Long.toString(s.firstSeed()), s.controlFound() + "/" + s.seeds(),
                    seen.isEmpty() ? "-" : String.join(", ", seen)));
        }
        int[] w = new int[rows.get(0).size()];
        rows.forEach(r -> {
            for (int i = 0; i < r.size(); i++) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        });
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                line.append(i == 0 ? "" : "  ").append(pad(r.get(i), w[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        out.println();
    }

    private static void table(List<String> header, List<Row> rows, PrintWriter out) {
        int labelWidth = 4;
        for (Row r : rows) {
            labelWidth = Math.max(labelWidth, r.label().length() + 2);
        }
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
            for (Row r : rows) {
                widths[i] = Math.max(widths[i], r.cells().get(i).length());
            }
        }
        StringBuilder h = new StringBuilder(pad("", labelWidth));
        for (int i = 0; i < widths.length; i++) {
            h.append("  ").append(padLeft(header.get(i), widths[i]));
        }
        out.println(h.toString().stripTrailing());
        String section = null;
        for (Row r : rows) {
            if (!r.section().isEmpty() && !r.section().equals(section)) {
                section = r.section();
                out.println(section);
            }
            StringBuilder line = new StringBuilder(pad((r.section().isEmpty() ? "" : "  ") + r.label(), labelWidth));
            for (int i = 0; i < widths.length; i++) {
                line.append("  ").append(padLeft(r.cells().get(i), widths[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    private static String padLeft(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }
}
