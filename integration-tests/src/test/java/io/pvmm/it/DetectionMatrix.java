package io.pvmm.it;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.bugs.GuestBug;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which backend catches which guest bug, and how: the expectation {@link DetectionMatrixTest} holds
 * every discovered backend to, written once here and copied in {@code docs/detection-matrix.md} (a test
 * keeps the two equal). Edit {@link #TABLE}: one row per backend and paging mode, one column per bug.
 *
 * <p>A cell lists what the backend is expected to do, alternatives joined by {@code or}:
 * <ul>
 *   <li>{@code -} — nothing: no violation, no audit finding;</li>
 *   <li>{@code violation:RULE} — it refuses a call with a {@code ParavirtViolation} of rule {@code RULE};</li>
 *   <li>{@code audit:RULE} — its audit, after an operation or at the end, finds {@code RULE};</li>
 *   <li>{@code smp-audit:RULE} — on one vCPU nothing (the bug needs a race), and in the SMP race of
 *       {@link CloneOutsideLockRaceTest} its audit at a quiescent point finds {@code RULE}.</li>
 * </ul>
 * The row named {@code guest} is what the model's own end-of-run checks say, whatever the backend:
 * {@code unbalanced} (an alloc hook without its release), {@code leak} (frames missing from the free
 * pool), {@code stale-tlb} (a vCPU's TLB disagreed with the tables after an operation), joined by
 * {@code +}, or {@code -}.
 *
 * <p>Rule ids are the backends' own ({@code VmiRule}, {@code XenRule}).
 */
final class DetectionMatrix {

    /** The expectations. Columns: mode, backend, then one per bug in {@link GuestBug} order. */
    static final String TABLE = """
            mode      | backend | skip-release-pt                                                        | free-before-release             | clone-outside-lock                                        | write-table-directly                      | leak-pgd        | skip-flush
            two-level | native  | -                                                                      | -                               | -                                                         | -                                         | -               | -
            two-level | vmi     | violation:alloc-of-typed-frame or audit:typed-frame-in-free-pool       | violation:release-of-free-frame | smp-audit:stale-kernel-entry or smp-audit:shadow-mismatch | audit:shadow-mismatch                     | -               | -
            two-level | xen     | violation:announce-of-announced-frame or audit:page-table-in-free-pool | violation:release-of-free-frame | -                                                         | violation:direct-write-to-read-only-frame | -               | -
            two-level | nested  | -                                                                      | -                               | -                                                         | -                                         | -               | -
            two-level | shadow  | -                                                                      | -                               | -                                                         | -                                         | -               | -
            two-level | guest   | unbalanced                                                             | -                               | -                                                         | -                                         | unbalanced+leak | stale-tlb
            pae       | native  | -                                                                      | -                               | -                                                         | -                                         | -               | -
            pae       | vmi     | violation:alloc-of-typed-frame or audit:typed-frame-in-free-pool       | violation:release-of-free-frame | -                                                         | audit:shadow-mismatch                     | -               | -
            pae       | xen     | violation:announce-of-announced-frame or audit:page-table-in-free-pool | violation:release-of-free-frame | -                                                         | violation:direct-write-to-read-only-frame | -               | -
            pae       | nested  | -                                                                      | -                               | -                                                         | -                                         | -               | -
            pae       | shadow  | -                                                                      | -                               | -                                                         | -                                         | -               | -
            pae       | guest   | unbalanced                                                             | -                               | -                                                         | -                                         | leak            | stale-tlb
            """;

    /** The name of the row of the model's own checks. */
    static final String GUEST = "guest";

    private static final Map<String, List<String>> CELLS = parse();

    private DetectionMatrix() {
    }

    /**
     * What a backend is expected to do about a bug in a mode.
     *
     * @param mode    the paging mode
     * @param backend a backend's name, or {@link #GUEST}
     * @param bug     the bug
     * @return the alternatives, or empty when the table has no row for the backend in that mode
     */
    static Optional<List<String>> expected(PagingMode mode, String backend, GuestBug bug) {
        List<String> row = CELLS.get(key(mode.configName(), backend));
        return row == null ? Optional.empty() : Optional.of(Arrays.asList(row.get(bug.ordinal()).split(" or ")));
    }

    /** @return the table's rows as cells, header first, each cell trimmed */
    static List<List<String>> rows() {
        return TABLE.lines().filter(l -> !l.isBlank())
                .map(l -> Arrays.stream(l.split("\\|")).map(String::trim).toList()).toList();
    }

    private static Map<String, List<String>> parse() {
        List<List<String>> rows = rows();
        List<String> header = rows.get(0);
        List<String> bugs = Arrays.stream(GuestBug.values()).map(GuestBug::settingName).toList();
        if (!header.subList(2, header.size()).equals(bugs)) {
            throw new IllegalStateException("the detection matrix's columns " + header + " must be mode, backend, then " + bugs);
        }
        Map<String, List<String>> cells = new LinkedHashMap<>();
        for (List<String> row : rows.subList(1, rows.size())) {
            if (row.size() != header.size()) {
                throw new IllegalStateException("detection matrix row " + row + " has " + row.size() + " cells, not " + header.size());
            }
            cells.put(key(row.get(0), row.get(1)), row.subList(2, row.size()));
        }
        return cells;
    }

    private static String key(String mode, String backend) {
        return mode + "/" + backend;
    }
}
