package io.pvmm.guest.run;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.hw.TlbCoherence;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.workload.Op;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which backend caught which guest bug, and how: built from the runs themselves, never written by hand.
 * {@code pvmm compare --bugs}, {@code DetectionMatrixTest} and {@code docs/detection-matrix.md} all show
 * what this builder makes of the same runs. Add one {@link RunReport} per bug, backend and mode; the
 * matrix has one row per mode and backend, then the {@value #GUEST} row of the model's own checks, and
 * one column per bug.
 *
 * <p>A backend's cell is what its run shows first:
 * <ul>
 *   <li>{@code violation:RULE} — the backend refused a call with a {@code ParavirtViolation} of rule
 *       {@code RULE}, which stopped the run;</li>
 *   <li>{@code audit:RULE} — one of its audits ({@link AuditSchedule}) found {@code RULE} (the first
 *       finding seen);</li>
 *   <li>{@code guest-bug} — the guest hit a {@code BUG()};</li>
 *   <li>{@code failure} — the backend threw something other than a violation;</li>
 *   <li>{@code -} — nothing.</li>
 * </ul>
 * The {@value #GUEST} row is the model's own checks, the same whatever the backend, taken from the
 * first run of the mode that completed: {@code unbalanced} (an {@code alloc*} hook without its
 * {@code release*}), {@code leak} (frames missing from the free pool), {@code stale-tlb} (after some
 * operation a vCPU's TLB held a translation the tables no longer give, which a {@link Watch} on the
 * run sees), joined by {@code +}, or {@code -}. Runs that disagree on it are kept in
 * {@link #disagreements()}.
 *
 * <p>Thread-safe; rows come out in the order their backends were first added, whatever order the runs
 * ended in.
 */
public final class DetectionMatrix {

    /** The name of the row of the model's own checks. */
    public static final String GUEST = "guest";

    private final List<GuestBug> bugs;
    private final Map<PagingMode, Map<String, Map<GuestBug, String>>> cells = new EnumMap<>(PagingMode.class);
    private final Map<PagingMode, Map<GuestBug, String>> guest = new EnumMap<>(PagingMode.class);
    private final Map<PagingMode, Map<GuestBug, String>> guestFrom = new EnumMap<>(PagingMode.class);
    private final List<String> disagreements = new ArrayList<>();

    /**
     * An empty matrix.
     *
     * @param bugs its columns, in order
     */
    public DetectionMatrix(List<GuestBug> bugs) {
        this.bugs = List.copyOf(bugs);
    }

    /**
     * What a backend's run with a bug shows, in the matrix's words.
     *
     * @param r the run's report
     * @return {@code violation:RULE}, {@code audit:RULE}, {@code guest-bug}, {@code failure} or {@code -}
     */
    public static String backendCell(RunReport r) {
        if (!r.violations().isEmpty()) {
            return "violation:" + r.violations().get(0).rule();
        }
        if (!r.findings().isEmpty()) {
            return "audit:" + r.findings().get(0).ruleId();
        }
        if (r.bug() != null) {
            return "guest-bug";
        }
        return r.failure() != null ? "failure" : "-";
    }

    /**
     * What the model's own checks say of a run.
     *
     * @param r     the run's report
     * @param watch what watched it
     * @return {@code unbalanced}, {@code leak}, {@code stale-tlb}, joined by {@code +}, or {@code -}; null
     *         when the run stopped before its end, where the checks mean nothing
     */
    public static String guestCell(RunReport r, Watch watch) {
        if (!r.completed()) {
            return null;
        }
        String g = (r.balanced() ? "" : "+unbalanced") + (r.noLeak() ? "" : "+leak") + (watch.staleTlb() ? "+stale-tlb" : "");
        return g.isEmpty() ? "-" : g.substring(1);
    }

    /**
     * Watches a run for what only its course shows: whether, after some operation, a vCPU's TLB held
     * a translation the tables no longer give ({@link TlbCoherence#staleEntries}). Checked after every
     * operation of a one-vCPU run, which is a quiescent point; not on several vCPUs, where another vCPU
     * may be inside an operation. One watch per run.
     */
    public static final class Watch implements RunObserver {
        private volatile boolean staleTlb;

        @Override
        public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
            if (!staleTlb && kernel.cpus().count() == 1) {
                staleTlb = !TlbCoherence.staleEntries(kernel.machine().tlbs(), kernel.mmu(), 1).isEmpty();
            }
        }

        /** @return whether a stale TLB entry was seen */
        public boolean staleTlb() {
            return staleTlb;
        }
    }

    /**
     * Adds a run.
     *
     * @param mode    the paging mode it ran in
     * @param backend the backend's name
     * @param bug     the bug it committed
     * @param report  its report
     * @param watch   the {@link Watch} it ran with
     */
    public synchronized void add(PagingMode mode, String backend, GuestBug bug, RunReport report, Watch watch) {
        Objects.requireNonNull(report, "report");
        if (!bugs.contains(bug)) {
            throw new IllegalArgumentException(bug.settingName() + " is not a column of this matrix: " + bugs);
        }
        cells.computeIfAbsent(mode, m -> new LinkedHashMap<>()).computeIfAbsent(backend, b -> new EnumMap<>(GuestBug.class))
                .put(bug, backendCell(report));
        String g = guestCell(report, watch);
        if (g == null) {
            return;
        }
        Map<GuestBug, String> row = guest.computeIfAbsent(mode, m -> new EnumMap<>(GuestBug.class));
        String had = row.putIfAbsent(bug, g);
        if (had == null) {
            guestFrom.computeIfAbsent(mode, m -> new EnumMap<>(GuestBug.class)).put(bug, backend);
        } else if (!had.equals(g)) {
            disagreements.add("the model's checks with " + bug.settingName() + " in " + mode.configName() + " mode said '" + had
                    + "' on " + guestFrom.get(mode).get(bug) + " but '" + g + "' on " + backend);
        }
    }

    /** @return the runs whose model checks disagreed with the first completed run of their mode; empty when consistent */
    public synchronized List<String> disagreements() {
        return List.copyOf(disagreements);
    }

    /** @return the header: {@code mode}, {@code backend}, then each bug's setting name */
    public List<String> header() {
        List<String> h = new ArrayList<>(List.of("mode", "backend"));
        bugs.forEach(b -> h.add(b.settingName()));
        return h;
    }

    /**
     * The matrix as rows of cells: the header first, then each mode's backends in the order first
     * added and its {@value #GUEST} row. A cell with no run is empty.
     *
     * @return the rows
     */
    public synchronized List<List<String>> rows() {
        List<List<String>> rows = new ArrayList<>();
        rows.add(header());
        cells.forEach((mode, byBackend) -> {
            byBackend.forEach((backend, row) -> rows.add(row(mode, backend, row)));
            rows.add(row(mode, GUEST, guest.getOrDefault(mode, Map.of())));
        });
        return rows;
    }

    private List<String> row(PagingMode mode, String name, Map<GuestBug, String> row) {
        List<String> r = new ArrayList<>(List.of(mode.configName(), name));
        bugs.forEach(b -> r.add(row.getOrDefault(b, name.equals(GUEST) ? "-" : "")));
        return r;
    }

    /**
     * The rows as text for a terminal: cells padded and joined by {@code " | "}, one row a line.
     *
     * @return the table, each line ending in a newline
     */
    public String text() {
        return render(rows());
    }

    /**
     * The rows as a Markdown table, rule ids in code spans, as {@code docs/detection-matrix.md} shows it.
     *
     * @return the table, each line ending in a newline
     */
    public String markdown() {
        List<List<String>> rows = rows();
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", rows.get(0))).append(" |\n");
        sb.append("|").append("---|".repeat(rows.get(0).size())).append('\n');
        for (List<String> row : rows.subList(1, rows.size())) {
            List<String> shown = new ArrayList<>(row.subList(0, 2));
            row.subList(2, row.size()).forEach(c -> shown.add(c.equals("-") || c.isEmpty() ? c : "`" + c + "`"));
            sb.append("| ").append(String.join(" | ", shown)).append(" |\n");
        }
        return sb.toString();
    }

    /**
     * Reads the rows of a table as {@link #text()} or {@link #markdown()} wrote it, for a check that
     * compares a page or a command's output with a matrix: separator lines dropped, code spans removed,
     * cells trimmed.
     *
     * @param lines the table's lines (other lines are not allowed)
     * @return the rows
     */
    public static List<List<String>> parse(List<String> lines) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines) {
            String l = line.strip();
            if (l.isEmpty() || l.matches("\\|?[-| :]+\\|?")) {
                continue;
            }
            if (l.startsWith("|")) {
                l = l.substring(1, l.endsWith("|") ? l.length() - 1 : l.length());
            }
            List<String> row = new ArrayList<>();
            for (String c : l.split("\\|", -1)) {
                row.add(c.strip().replace("`", ""));
            }
            rows.add(row);
        }
        return rows;
    }

    private static String render(List<List<String>> rows) {
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                if (i > 0) {
                    line.append(" | ");
                }
                line.append(row.get(i)).append(" ".repeat(widths[i] - row.get(i).length()));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
