package io.pvmm.cli;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.run.AuditSchedule;
import io.pvmm.guest.run.DetectionMatrix;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.Workload;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.Selection;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.RuntimeKeys;
import io.pvmm.runtime.guest.GuestRuntime;
import io.pvmm.runtime.guest.SelectedBackend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code compare --bugs ... --seeds N}: each injected bug on each backend and mode on N seeds (the
 * configured seed and the N - 1 after it), and, as the control, the same seeds without the bug; for a
 * bug that needs a race, how often each backend caught it. A run "caught" the bug when its
 * {@link DetectionMatrix#backendCell} is not {@code -}; a control run that shows anything is a false
 * alarm.
 */
final class SeededRuns {

    /**
     * One bug on one backend in one mode, over the seeds.
     *
     * @param bug          the bug's setting name
     * @param mode         the paging mode
     * @param backend      the backend
     * @param seeds        how many seeds
     * @param caught       runs with the bug in which the backend caught it
     * @param firstSeed    the first seed on which it did, or 0
     * @param seen         what it showed when it caught it, with how many runs showed it, in the order first seen
     * @param controlFound runs without the bug in which the backend still showed something
     * @param controlSeen  what the control runs showed, with how many runs showed it
     */
    record Cell(String bug, PagingMode mode, String backend, int seeds, int caught, long firstSeed, Map<String, Integer> seen,
                int controlFound, Map<String, Integer> controlSeen) {
    }

    private record Job(String bug, boolean withBug, PagingMode mode, String backend, long seed, Selection selection,
                       GuestConfig guest, AuditSchedule audit) {
    }

    private SeededRuns() {
    }

    /**
     * Counts the runs, for the progress bar.
     *
     * @param plan the plan
     * @return the runs beyond the comparison's own (whose bug runs are the first seed's)
     */
    static int runs(ComparisonRunner.Plan plan) {
        if (plan.seeds() <= 1 || plan.bugs().isEmpty()) {
            return 0;
        }
        return plan.backends().size() * plan.modes().size() * ((plan.bugs().size() + 1) * plan.seeds());
    }

    /**
     * Runs the seeds.
     *
     * @param runtime  the runtime
     * @param inputs   the configuration sources
     * @param workload the workload
     * @param plan     the plan ({@link ComparisonRunner.Plan#seeds()} more than 1)
     * @param progress the progress bar
     * @return one cell per bug, mode and backend that supports the mode, in plan order
     */
    static List<Cell> run(PvmmRuntime runtime, ConfigInputs inputs, Workload workload, ComparisonRunner.Plan plan, Progress progress) {
        List<Job> jobs = new ArrayList<>();
        for (String bug : plan.bugs()) {
            for (PagingMode mode : plan.modes()) {
                for (String backend : plan.backends()) {
                    if (!runtime.registry().find(backend).orElseThrow().supports(mode)) {
                        continue;
                    }
                    for (boolean withBug : new boolean[] {true, false}) {
                        ConfigInputs in = inputs.withOption(RuntimeKeys.BACKEND, backend, plan.sources().backends())
                                .withOption(RuntimeKeys.MODE, mode.configName(), plan.sources().mode());
                        in = withBug ? in.withOption("guest.bug", bug, plan.sources().bugs())
                                : in.withOption("guest.bug", "none", "--seeds (the control)");
                        Configuration config = runtime.configure(in);
                        Selection selection = runtime.select(config);
                        GuestConfig guest = GuestRuntime.guestConfig(runtime.registry(), config, selection);
                        AuditSchedule audit = GuestRuntime.auditSchedule(config);
                        for (int k = 0; k < plan.seeds(); k++) {
                            jobs.add(new Job(bug, withBug, mode, backend, guest.seed() + k, selection, guest.withSeed(guest.seed() + k), audit));
                        }
                    }
                }
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(plan.threads(), jobs.size())), r -> {
            Thread t = new Thread(r, "compare-seeds");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (Job job : jobs) {
                futures.add(pool.submit(() -> {
                    progress.start(job.backend() + " " + job.mode().configName() + " bug " + job.bug() + " seed " + job.seed()
                            + (job.withBug() ? "" : " (control)"));
                    RunReport report = new GuestRun(job.mode(), job.guest(), workload).audit(job.audit())
                            .run(new SelectedBackend(runtime, job.selection()));
                    progress.finish();
                    return DetectionMatrix.backendCell(report);
                }));
            }
            List<Cell> cells = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i += 2 * plan.seeds()) {
                Job first = jobs.get(i);
                int caught = 0;
                int found = 0;
                long firstSeed = 0;
                Map<String, Integer> seen = new LinkedHashMap<>();
                Map<String, Integer> controlSeen = new LinkedHashMap<>();
                for (int k = 0; k < 2 * plan.seeds(); k++) {
                    Job job = jobs.get(i + k);
                    String cell = get(futures.get(i + k));
                    if (cell.equals("-")) {
                        continue;
                    }
                    if (job.withBug()) {
                        caught++;
                        firstSeed = firstSeed == 0 ? job.seed() : firstSeed;
                        seen.merge(cell, 1, Integer::sum);
                    } else {
                        found++;
                        controlSeen.merge(cell, 1, Integer::sum);
                    }
                }
                cells.add(new Cell(first.bug(), first.mode(), first.backend(), plan.seeds(), caught, firstSeed, Collections.unmodifiableMap(seen),
                        found, Collections.unmodifiableMap(controlSeen)));
            }
            return cells;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String get(Future<String> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running seeds", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
