package io.pvmm.cli;

import io.pvmm.api.Finding;
import io.pvmm.guest.run.AuditSchedule;
import io.pvmm.guest.run.RunReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** A run report for a person: what ran, the hooks called, the backend's counters, and what was wrong. */
final class ReportText {

    private ReportText() {
    }

    /**
     * Prints a report.
     *
     * @param r   the report
     * @param out where to print
     * @param verbose whether a failure is printed with its stack frames
     */
    static void print(RunReport r, PrintWriter out, boolean verbose) {
        out.printf("backend %s, mode %s, kernel %s, workload %s, seed %d, %d vCPU%s%n", r.backend(), r.mode(), r.kernel(), r.workload(),
                r.seed(), r.vcpus(), r.vcpus() == 1 ? "" : "s");
        out.printf("%s in %d ms: %d operations (%s)%n", r.completed() ? "completed" : "STOPPED", r.elapsedMillis(),
                r.operations(), outcomes(r.outcomes()));
        out.println("hooks (calls per SPI method; at boot in brackets):");
        printCounts(r.hooks(), r.bootHooks(), out);
        out.println("backend counters (at boot in brackets):");
        if (r.counters().isEmpty()) {
            out.println("  (none)");
        } else {
            printCounts(r.counters(), r.bootCounters(), out);
        }
        out.println("tlb (per vCPU, references per walk in the guest's tables; over the run, as the backend walks: "
                + CompareTable.referencesPerWalk(r) + "):");
        for (int cpu = 0; cpu < r.tlb().size(); cpu++) {
            Map<String, Long> t = r.tlb().get(cpu);
            long walks = t.getOrDefault("walks", 0L);
            out.printf(java.util.Locale.ROOT, "  cpu %d: lookups %d   misses %d   walks %d   references per walk %.2f   flushes %d   "
                            + "global flushes %d   invlpg %d   shootdowns %d   IPIs sent %d   received %d%n", cpu, t.get("lookups"),
                    t.get("misses"), walks, walks == 0 ? 0.0 : (double) t.get("walk-references") / walks, t.get("flushes"),
                    t.get("global-flushes"), t.get("invlpg"), t.get("shootdowns"), t.get("ipis-sent"), t.get("ipis-received"));
        }
        out.printf("page-table frames: %d at the end, %d after boot, %d kernel pte pages added (never freed)%n",
                r.frames(), r.bootFrames(), r.kernelTables());
        out.printf("hooks balanced: %s; frames leaked: %d%n", r.balanced() ? "yes" : "NO",
                r.bootFreePages() - r.kernelTables() - r.freePages());
        if (r.injected() > 0) {
            out.printf("allocation failures injected: %d%n", r.injected());
        }
        out.printf("violations: %s%n", r.violations().isEmpty() ? "none" : r.violations().size());
        for (RunReport.ViolationRecord v : r.violations()) {
            out.println("  " + v.message());
        }
        out.println(audits(r));
        out.printf("audit findings: %s%n", r.findings().isEmpty() ? "none" : r.findings().size());
        int shown = 0;
        for (Finding f : r.findings()) {
            if (shown++ == 20) {
                out.printf("  ... and %d more%n", r.findings().size() - 20);
                break;
            }
            out.println("  " + f);
        }
        if (r.bug() != null) {
            out.println("guest BUG: " + r.bug());
        }
        if (r.failure() != null) {
            String[] lines = r.failure().split("\n", 2);
            out.println("run failed: " + (verbose || lines.length == 1 ? r.failure() : lines[0] + "\n  (its stack frames: run again with --verbose)"));
        }
    }

    /** The operations' outcomes as words, {@code OK 3782, ENOMEM 0}, not a Java map. */
    private static String outcomes(Map<String, ? extends Number> outcomes) {
        StringBuilder sb = new StringBuilder();
        outcomes.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return sb.toString();
    }

    /**
     * The audits of a run in one line: how many, and at which operations.
     *
     * @param r the report
     * @return e.g. {@code audits: 53 (during the run after operations 4, 8, 12, ..., 204: 51; before shutdown after
     *         operation 205; after shutdown)}
     */
    static String audits(RunReport r) {
        List<String> parts = new ArrayList<>();
        List<Long> during = r.audits().stream().filter(a -> a.point() == AuditSchedule.Point.DURING)
                .map(RunReport.AuditRecord::operation).toList();
        if (!during.isEmpty()) {
            List<String> ops = during.stream().map(String::valueOf).collect(Collectors.toCollection(ArrayList::new));
            if (ops.size() > 4) {
                ops = List.of(ops.get(0), ops.get(1), ops.get(2), "...", ops.get(ops.size() - 1));
            }
            parts.add("during the run after operation" + (during.size() == 1 ? " " : "s ") + String.join(", ", ops)
                    + ": " + during.size());
        }
        for (RunReport.AuditRecord a : r.audits()) {
            if (a.point() == AuditSchedule.Point.BEFORE_SHUTDOWN) {
                parts.add("before shutdown after operation " + a.operation());
            } else if (a.point() == AuditSchedule.Point.AFTER_SHUTDOWN) {
                parts.add("after shutdown");
            }
        }
        Optional<RunReport.AuditRecord> first = r.audits().stream().filter(a -> a.findings() > 0).findFirst();
        return "audits: " + r.audits().size() + (parts.isEmpty() ? "" : " (" + String.join("; ", parts) + ")")
                + first.map(a -> "; first finding " + (a.point() == AuditSchedule.Point.AFTER_SHUTDOWN ? "after shutdown"
                        : "after operation " + a.operation())).orElse("");
    }

    private static void printCounts(Map<String, Long> counts, Map<String, Long> boot, PrintWriter out) {
        StringBuilder line = new StringBuilder("  ");
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            Long b = boot.get(e.getKey());
            String item = e.getKey() + " " + e.getValue() + (b != null && b != 0 ? " [" + b + "]" : "");
            if (line.length() + item.length() > 100) {
                out.println(line.toString().stripTrailing());
                line = new StringBuilder("  ");
            }
            line.append(item).append("   ");
        }
        out.println(line.toString().stripTrailing());
    }
}
