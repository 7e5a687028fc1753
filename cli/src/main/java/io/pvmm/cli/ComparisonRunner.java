package io.pvmm.cli;

import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.run.AuditSchedule;
import io.pvmm.guest.run.DetectionMatrix;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.Workload;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.Selection;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.ConfigSource;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.RuntimeKeys;
import io.pvmm.runtime.guest.GuestRuntime;
import io.pvmm.runtime.guest.SelectedBackend;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Runs a comparison: every backend in every mode on the same workload, seed and vCPUs, then every
 * injected bug on every backend. Each run builds its own guest, so runs go in parallel on a small
 * thread pool. Every selection is made (and every configuration error raised) before anything runs.
 */
final class ComparisonRunner {

    /**
     * What to compare.
     *
     * @param backends    the backends, in column order
     * @param modes       the paging modes
     * @param bugs        the guest bugs to inject, by setting name
     * @param sampleEvery operations between timeline samples
     * @param threads     runs at once
     * @param everyBackend whether the backends are every discovered one ({@code all}) rather than named
     * @param seeds       seeds each bug runs on, with a control run per seed without it (1: the bug runs once)
     * @param sources     where the backends, the mode and the bugs came from, for error messages
     */
    record Plan(List<String> backends, List<PagingMode> modes, List<String> bugs, long sampleEvery, int threads,
                boolean everyBackend, int seeds, Sources sources) {
    }

    /**
     * Where a comparison's axes came from.
     *
     * @param backends the source of {@code compare.backends}
     * @param mode     the source of {@code compare.mode}
     * @param bugs     the source of {@code compare.bugs}
     */
    record Sources(ConfigSource backends, ConfigSource mode, ConfigSource bugs) {
    }

    private final PvmmRuntime runtime;
    private final ConfigInputs inputs;
    private final Workload workload;
    private final Progress progress;
    private final Map<Job, DetectionMatrix.Watch> watches = new ConcurrentHashMap<>();

    /**
     * A runner.
     *
     * @param runtime  the runtime
     * @param inputs   the configuration sources (the comparison's own options included)
     * @param workload the workload, resolved once
     * @param progress the progress bar
     */
    ComparisonRunner(PvmmRuntime runtime, ConfigInputs inputs, Workload workload, Progress progress) {
        this.runtime = runtime;
        this.inputs = inputs;
        this.workload = workload;
        this.progress = progress;
    }

    /** One run to make: its selection and configuration, checked. */
    private record Job(String backend, PagingMode mode, String bug, Selection selection, GuestConfig guest, AuditSchedule audit) {
    }

    /**
     * Counts the runs a plan makes, for the progress bar.
     *
     * @param plan the plan
     * @return the runs, skipped ones included
     */
    static int runs(Plan plan) {
        return plan.backends().size() * plan.modes().size() * (1 + plan.bugs().size()) + SeededRuns.runs(plan);
    }

    /**
     * Runs the plan.
     *
     * @param plan the plan
     * @return the comparison
     */
    Comparison run(Plan plan) {
        List<Job> jobs = new ArrayList<>();
        GuestConfig base = null;
        for (String bug : prepend(null, plan.bugs())) {
            for (PagingMode mode : plan.modes()) {
                for (String backend : plan.backends()) {
                    ConfigInputs in = inputs.withOption(RuntimeKeys.BACKEND, backend, plan.sources().backends())
                            .withOption(RuntimeKeys.MODE, mode.configName(), plan.sources().mode());
                    if (bug != null) {
                        in = in.withOption("guest.bug", bug, plan.sources().bugs());
                    }
                    if (!runtime.registry().find(backend).orElseThrow().supports(mode) && skips(plan, mode)) {
                        jobs.add(new Job(backend, mode, bug, null, null, null));
                        continue;
                    }
                    Configuration config = runtime.configure(in);
                    Selection selection = runtime.select(config);
                    GuestConfig guest = GuestRuntime.guestConfig(runtime.registry(), config, selection);
                    base = base == null ? guest : base;
                    jobs.add(new Job(backend, mode, bug, selection, guest, GuestRuntime.auditSchedule(config)));
                }
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(plan.threads(), jobs.size())), r -> {
            Thread t = new Thread(r, "compare");
            t.setDaemon(true);
            return t;
        });
        List<Future<Comparison.BackendRun>> futures = new ArrayList<>();
        try {
            for (Job job : jobs) {
                futures.add(pool.submit(() -> execute(job, plan)));
            }
            List<Comparison.BackendRun> done = new ArrayList<>();
            for (Future<Comparison.BackendRun> f : futures) {
                done.add(get(f));
            }
            return assemble(plan, jobs, done, base);
        } finally {
            pool.shutdownNow();
        }
    }

    private Comparison.BackendRun execute(Job job, Plan plan) {
        if (job.selection() == null) {
            progress.finish();
            return new Comparison.BackendRun(job.backend(), job.mode(), null, null, job.backend() + " does not support "
                    + job.mode().configName(), null);
        }
        progress.start(job.backend() + " " + job.mode().configName() + (job.bug() == null ? "" : " bug " + job.bug()));
        Timeline timeline = new Timeline(plan.sampleEvery(), job.guest().vcpus(), progress);
        DetectionMatrix.Watch watch = new DetectionMatrix.Watch();
        watches.put(job, watch);
        RunObserver observer = job.bug() == null ? timeline : watch;
        RunReport report = new GuestRun(job.mode(), job.guest(), workload).audit(job.audit()).observe(observer)
                .run(new SelectedBackend(runtime, job.selection()));
        progress.finish();
        return new Comparison.BackendRun(job.backend(), job.mode(), report, timeline, null, null);
    }

    /**
     * Whether a backend that lacks a mode is skipped in it, rather than refused as {@code pvmm run} refuses
     * it (PVMM-E006): only when the plan asked for every backend or for both modes, and another backend
     * runs in that mode, so a section is never empty.
     */
    private boolean skips(Plan plan, PagingMode mode) {
        return (plan.everyBackend() || plan.modes().size() > 1)
                && plan.backends().stream().anyMatch(b -> runtime.registry().find(b).orElseThrow().supports(mode));
    }

    private static Comparison.BackendRun get(Future<Comparison.BackendRun> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while comparing", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private Comparison assemble(Plan plan, List<Job> jobs, List<Comparison.BackendRun> done, GuestConfig base) {
        List<Comparison.ModeSection> sections = new ArrayList<>();
        List<Comparison.BugCell> cells = new ArrayList<>();
        DetectionMatrix matrix = new DetectionMatrix(plan.bugs().stream().map(b -> GuestBug.fromSettingName(b).orElseThrow()).toList());
        int i = 0;
        for (String bug : prepend(null, plan.bugs())) {
            for (PagingMode mode : plan.modes()) {
                List<Comparison.BackendRun> runs = new ArrayList<>();
                for (int b = 0; b < plan.backends().size(); b++, i++) {
                    Comparison.BackendRun run = done.get(i);
                    if (bug == null) {
                        runs.add(run);
                    } else {
                        cells.add(cell(bug, run));
                        if (run.report() != null) {
                            matrix.add(mode, run.backend(), GuestBug.fromSettingName(bug).orElseThrow(), run.report(), watches.get(jobs.get(i)));
                        }
                    }
                }
                if (bug == null) {
                    sections.add(new Comparison.ModeSection(mode, agree(runs)));
                }
            }
        }
        long seed = base == null ? 0 : base.seed();
        int vcpus = base == null ? 1 : base.vcpus();
        List<SeededRuns.Cell> seeded = plan.seeds() > 1 && !plan.bugs().isEmpty()
                ? SeededRuns.run(runtime, inputs, workload, plan, progress) : List.of();
        return new Comparison(workload.name(), seed, vcpus, sections, cells, matrix, seeded);
    }

    private static List<Comparison.BackendRun> agree(List<Comparison.BackendRun> runs) {
        Comparison.BackendRun reference = new Comparison.ModeSection(null, runs).reference();
        List<Comparison.BackendRun> result = new ArrayList<>();
        for (Comparison.BackendRun r : runs) {
            TranslationDigest.Differences d = null;
            if (reference != null && r != reference && r.skipped() == null && r.timeline().translations() != null) {
                d = r.timeline().translations().compare(reference.timeline().translations());
            }
            result.add(new Comparison.BackendRun(r.backend(), r.mode(), r.report(), r.timeline(), r.skipped(), d));
        }
        return result;
    }

    private static Comparison.BugCell cell(String bug, Comparison.BackendRun run) {
        RunReport r = run.report();
        if (r == null) {
            return new Comparison.BugCell(bug, run.mode(), run.backend(), "skipped", "", null);
        }
        if (!r.violations().isEmpty()) {
            return new Comparison.BugCell(bug, run.mode(), run.backend(), "violation", r.violations().get(0).rule(), r);
        }
        if (!r.findings().isEmpty()) {
            return new Comparison.BugCell(bug, run.mode(), run.backend(), "audit",
                    r.findings().stream().map(Finding::ruleId).collect(Collectors.toCollection(LinkedHashSet::new)).stream()
                            .collect(Collectors.joining(", ")), r);
        }
        if (r.bug() != null) {
            return new Comparison.BugCell(bug, run.mode(), run.backend(), "guest BUG", r.bug(), r);
        }
        if (r.failure() != null) {
            return new Comparison.BugCell(bug, run.mode(), run.backend(), "failure", r.failure().lines().findFirst().orElse(""), r);
        }
        return new Comparison.BugCell(bug, run.mode(), run.backend(), "missed", "", r);
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> l = new ArrayList<>();
        l.add(first);
        l.addAll(rest);
        return l;
    }
}
