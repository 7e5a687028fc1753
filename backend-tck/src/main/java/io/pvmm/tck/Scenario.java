package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.Op;
import io.pvmm.guest.workload.TraceWorkload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A scripted guest run with checks after chosen operations, played on one vCPU on the backend under
 * test and on the {@link ReferenceBackend} under the same platform. At every check point the run is
 * quiescent, and besides the scenario's own checks the kit requires of the backend: an empty audit,
 * the {@link GuestInvariants}, and the same translation of every page of every process and of the
 * kernel as on the reference — every page maps where the guest put it. At the end: every operation
 * succeeded, no violation, an empty audit, balanced hooks and no frame leaked.
 *
 * <pre>{@code
 * Scenario.named("fork").op(new Op.Spawn(1), new Op.Exec(1, ExecImage.DEFAULT), new Op.Fork(1, 2))
 *         .check("the child maps the parent's stack", g -> assertThat(g.translate(2, STACK)).isNotNull())
 *         .run(backend, mode);
 * }</pre>
 */
public final class Scenario {

    /** A check after an operation. */
    private record Check(String what, Consumer<GuestView> body) {
    }

    private final String name;
    private final List<Op> ops = new ArrayList<>();
    private final Map<Long, List<Check>> checks = new HashMap<>();
    private GuestConfig config = KitRules.GUEST;

    private Scenario(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * Starts a scenario.
     *
     * @param name what it exercises
     * @return an empty scenario
     */
    public static Scenario named(String name) {
        return new Scenario(name);
    }

    /**
     * Appends operations.
     *
     * @param more the operations, in order
     * @return this scenario
     */
    public Scenario op(Op... more) {
        ops.addAll(List.of(more));
        return this;
    }

    /**
     * Checks the guest after the operations appended so far.
     *
     * @param what what the check requires, in plain words (reported when it fails)
     * @param body the check; throws {@link AssertionError} when it does not hold
     * @return this scenario
     */
    public Scenario check(String what, Consumer<GuestView> body) {
        checks.computeIfAbsent((long) ops.size(), k -> new ArrayList<>()).add(new Check(what, body));
        return this;
    }

    /**
     * Runs on a guest with other settings than the defaults.
     *
     * @param c the guest's settings (one vCPU is kept)
     * @return this scenario
     */
    public Scenario withConfig(GuestConfig c) {
        this.config = c.withVcpus(1);
        return this;
    }

    /**
     * Plays the scenario on the backend and on the reference, and asserts everything the class
     * describes.
     *
     * @param backend the backend under test
     * @param mode    one of its declared modes
     * @return the backend's report
     */
    public RunReport run(BackendUnderTest backend, PagingMode mode) {
        String where = name + " on " + backend.name() + " in " + mode.configName() + " mode";
        TraceWorkload workload = new TraceWorkload(name, ops);
        Points points = new Points(true);
        RunReport report = backend.run(mode, config, workload, points);
        Points expected = new Points(false);
        new GuestRun(mode, config, workload).observe(expected).run(ReferenceBackend.factory(backend.platform(mode)));

        if (!points.failures.isEmpty()) {
            AssertionError first = new AssertionError(where + ": " + points.failures.get(0).getMessage(), points.failures.get(0));
            points.failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
        assertThat(points.visited).as("%s: check points reached", where).isEqualTo(checks.size());
        assertThat(points.snapshots.keySet()).as("%s: operations after which both runs took a snapshot", where)
                .isNotEmpty()
                .isEqualTo(expected.snapshots.keySet());
        for (Map.Entry<Long, TranslationSnapshot> e : expected.snapshots.entrySet()) {
            assertThat(points.snapshots.get(e.getKey()).differencesFrom(e.getValue()))
                    .as("%s: after operation %d, pages that do not map where the guest put them", where, e.getKey())
                    .isEmpty();
        }
        RunAssertions.assertClean(report, where);
        assertThat(report.outcomes()).as("%s: every operation succeeds", where)
                .containsEntry("OK", (long) ops.size());
        return report;
    }

    /** Runs the checks, the audit and the invariants at every check point, and takes snapshots. */
    private final class Points implements RunObserver {
        private final boolean underTest;
        private final List<Throwable> failures = new ArrayList<>();
        private final Map<Long, TranslationSnapshot> snapshots = new HashMap<>();
        private int visited;

        Points(boolean underTest) {
            this.underTest = underTest;
        }

        @Override
        public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
            List<Check> here = checks.get(index);
            if (here == null) {
                return;
            }
            snapshots.put(index, TranslationSnapshot.capture(kernel));
            if (!underTest) {
                return;
            }
            visited++;
            String at = "after operation " + index + " (" + op.traceLine() + ")";
            try {
                assertThat(kernel.ops().audit()).as("audit %s", at).isEmpty();
                assertThat(GuestInvariants.directMap(kernel)).as("direct map %s", at).isEmpty();
                assertThat(GuestInvariants.staleKernelEntries(kernel)).as("kernel entries of every root %s", at).isEmpty();
                assertThat(GuestInvariants.userPermissions(kernel)).as("user permissions %s", at).isEmpty();
            } catch (Throwable t) {
                failures.add(t);
            }
            GuestView view = new GuestView(kernel);
            for (Check c : here) {
                try {
                    c.body().accept(view);
                } catch (Throwable t) {
                    failures.add(new AssertionError(c.what() + " " + at + ": " + t.getMessage(), t));
                }
            }
        }
    }
}
