package io.pvmm.cli;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.workload.Workload;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.ConfigValue;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.RuntimeKeys;
import io.pvmm.runtime.error.DidYouMean;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import io.pvmm.runtime.guest.WorkloadResolver;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pvmm compare}: the same workload, mode, seed and vCPUs under several backends, side by side;
 * with {@code --bugs}, which backend catches which injected guest bug.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run one workload under several backends, in parallel, and show them side by side.",
            "Each runs the same seed and vCPU count; shown per backend: hook calls by kind, the backends' counters, page-table"
                + " frames, time, violations, audit findings, whether the hooks balanced, and whether the guest-visible translations"
                + " AGREED with the first backend's (compared page by page before shutdown).",
            "With --bugs, one more run per injected guest bug per backend, and a detection matrix."},
        footerHeading = "%nExamples:%n",
        footer = {"  pvmm compare --backends all --workload fork-exit --mode both --html report.html",
            "  pvmm compare --backends native,xen --workload pageattr --vcpus 2 --format json",
            "  pvmm compare --backends vmi,xen --bugs all --html bugs.html",
            "  PVMM_COMPARE_BACKENDS=native,vmi pvmm compare --workload make.trace"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:every run completed with no violation, no audit finding, balanced hooks, no frame leaked and agreeing translations",
            "1:a run failed (a backend threw something other than a violation)",
            "2:usage or configuration error, or an unwritable --html path (PVMM-E008..E014)",
            "3:backend selection error (PVMM-E001..E007)",
            "4:some run found a violation, an audit finding, unbalanced hooks, leaked frames or a guest BUG, or translations differ (bug runs excepted: their findings are the matrix)"})
final class CompareCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Option(names = "--backends", paramLabel = "LIST",
            description = "Backends, comma-separated, or all: native first, then the others by name (compare.backends; default all).")
    String backends;

    @Option(names = "--mode", paramLabel = "MODE", completionCandidates = Completions.CompareModes.class, description = {"two-level, pae, or both (compare.mode; default: the mode key's value).",
        "A named backend without the mode is PVMM-E006, as in pvmm run; with --backends all or --mode both it is skipped."})
    String mode;

    @Option(names = "--bugs", paramLabel = "LIST", completionCandidates = Completions.Bugs.class,
            description = "Guest bugs to inject, one run each per backend: all, or a comma-separated list (compare.bugs).")
    String bugs;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text (default) or json (compare.format).")
    String format;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write a self-contained HTML report with charts (compare.html).")
    String html;

    @Option(names = "--sample-every", paramLabel = "N", description = "Operations between timeline samples (compare.sample-every).")
    String sampleEvery;

    @Option(names = "--threads", paramLabel = "N", description = "Runs at once; 0 is one per core (compare.threads).")
    String threads;

    @Option(names = "--seeds", paramLabel = "N", description = "With --bugs: run each bug on N seeds from --seed, and the same seeds"
        + " without it, and report how often each backend caught it (compare.seeds; default 1).")
    String seeds;

    @Mixin
    WorkloadOption workloadOption;

    @Mixin
    RunOptions runOptions;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    SystemPropertyOptions systemProperties;

    CompareCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        ConfigInputs inputs = runOptions.applyTo(workloadOption.applyTo(configOptions.applyTo(context.inputs())));
        inputs = option(inputs, "compare.backends", backends, "--backends");
        inputs = option(inputs, "compare.mode", mode, "--mode");
        inputs = option(inputs, "compare.bugs", bugs, "--bugs");
        inputs = option(inputs, "compare.format", format, "--format");
        inputs = option(inputs, "compare.html", html, "--html");
        inputs = option(inputs, "compare.sample-every", sampleEvery, "--sample-every");
        inputs = option(inputs, "compare.seeds", seeds, "--seeds");
        inputs = OptionConflicts.check(option(inputs, "compare.threads", threads, "--threads"));
        PvmmRuntime runtime = context.runtime(inputs);
        BackendListing.warnAboutPath(runtime.registry(), spec.commandLine().getErr());
        Configuration config = runtime.configure(inputs);
        runtime.registry().requireBackends();
        ComparisonRunner.Plan plan = new ComparisonRunner.Plan(backends(runtime, config.get("compare.backends")),
                modes(config), bugs(config.get("compare.bugs")), sampleEvery(config.get("compare.sample-every")),
                threads(config.get("compare.threads")), config.get("compare.backends").value().trim().equals("all"),
                seeds(config.get("compare.seeds")),
                new ComparisonRunner.Sources(config.get("compare.backends").source(),
                config.get("compare.mode").source(), config.get("compare.bugs").source()));
        Workload workload = WorkloadResolver.resolve(config, context.workingDirectory());
        ConfigValue htmlPath = config.get("compare.html");
        AtomicOutput report = htmlPath.value().isEmpty() ? null
                : AtomicOutput.open(context.workingDirectory().resolve(htmlPath.value()), htmlPath.source().description(),
                RunExecution.inputFiles(context, config, null));
        PrintWriter out = spec.commandLine().getOut();
        boolean shown = context.terminal() && !config.get("cli.quiet").value().equals("true");
        try (report;
             Progress progress = Progress.open(spec.commandLine().getErr(), shown, ComparisonRunner.runs(plan))) {
            Comparison c = new ComparisonRunner(runtime, inputs, workload, progress).run(plan);
            CompareCost cost = plan.bugs().isEmpty() ? CompareCost.of(runtime, inputs, config, workload, c) : null;
            progress.clear();
            if ("json".equals(config.get("compare.format").value())) {
                Map<String, Object> tree = CompareJson.tree(c);
                tree.put("cost", cost == null ? null : cost.tree()); // none with --bugs: those runs are the matrix's
                out.println(ReportJson.render(tree));
            } else {
                CompareTable.print(c, out);
                if (cost != null) {
                    cost.print(out);
                }
            }
            if (report != null) {
                try {
                    String page = CompareHtml.render(c, TraceSummary.of(workload,
                            context.workingDirectory().resolve(config.get("workload.name").value())));
                    report.writer().write(cost == null ? page : cost.into(page));
                } catch (IOException e) {
                    throw new IllegalStateException("the output's writer keeps its failures", e); // never
                }
                report.commit();
                if (!"json".equals(config.get("compare.format").value())) {
                    out.println("HTML report: " + report.target());
                }
            }
            out.flush();
            return exitCode(c);
        }
    }

    private static ConfigInputs option(ConfigInputs inputs, String key, String value, String option) {
        return value == null ? inputs : inputs.withOption(key, value, option);
    }

    private static int exitCode(Comparison c) {
        boolean failed = false;
        boolean problems = false;
        for (Comparison.ModeSection s : c.modes()) {
            for (Comparison.BackendRun r : s.runs()) {
                if (r.report() != null) {
                    failed |= r.report().failure() != null;
                    problems |= r.report().anythingFound();
                }
                problems |= r.agreement() != null && !r.agreement().none();
            }
        }
        for (SeededRuns.Cell s : c.seeded()) {
            problems |= s.controlFound() > 0; // a control run is a run without the bug: what it shows is a finding
        }
        return failed ? ExitCodes.FAILURE : problems ? ExitCodes.FINDINGS : ExitCodes.OK;
    }

    private static List<String> backends(PvmmRuntime runtime, ConfigValue value) {
        List<String> known = runtime.registry().names();
        if (value.value().trim().equals("all")) {
            List<String> all = new ArrayList<>(known); // native first, as the reference the others are compared with
            if (all.remove(RuntimeKeys.DEFAULT_BACKEND)) {
                all.add(0, RuntimeKeys.DEFAULT_BACKEND);
            }
            return all;
        }
        List<String> chosen = new ArrayList<>();
        for (String name : value.value().split(",")) {
            String n = name.trim();
            if (n.isEmpty()) {
                continue;
            }
            if (n.equals("all")) {
                throw invalid(value, "'all' stands alone: give --backends all, or a comma-separated list of backends");
            }
            if (chosen.contains(n)) {
                throw invalid(value, "'" + n + "' is named twice; name each backend once");
            }
            if (!known.contains(n)) {
                throw new PvmmException(PvmmError.UNKNOWN_BACKEND, value.source().description(), Map.of("name", n,
                        "discovered", runtime.registry().describeBackends() + "; or all alone",
                        "suggestion", DidYouMean.sentence(n, known), "failures", runtime.registry().describeFailures()));
            }
            chosen.add(n);
        }
        if (chosen.isEmpty()) {
            throw invalid(value, "no backend named; give a comma-separated list of backends, or all");
        }
        return chosen;
    }

    private static List<PagingMode> modes(Configuration config) {
        String m = config.get("compare.mode").value();
        return switch (m) {
            case "both" -> List.of(PagingMode.TWO_LEVEL, PagingMode.PAE);
            case "configured" -> List.of(config.mode());
            default -> List.of(PagingMode.fromConfigName(m).orElseThrow());
        };
    }

    private static List<String> bugs(ConfigValue value) {
        List<String> all = Arrays.stream(GuestBug.values()).map(GuestBug::settingName).toList();
        String v = value.value().trim();
        if (v.equals("none") || v.isEmpty()) {
            return List.of();
        }
        if (v.equals("all")) {
            return all;
        }
        List<String> chosen = new ArrayList<>();
        for (String b : v.split(",")) {
            String n = b.trim();
            if (!all.contains(n)) {
                throw invalid(value, "'" + n + "' is not a guest bug; the bugs are " + String.join(", ", all) + ", or all, or none."
                        + DidYouMean.sentence(n, all));
            }
            if (chosen.contains(n)) {
                throw invalid(value, "'" + n + "' is named twice; name each bug once");
            }
            chosen.add(n);
        }
        return chosen;
    }

    private static long sampleEvery(ConfigValue value) {
        long n = Long.parseLong(value.value().trim());
        if (n < 1) {
            throw invalid(value, "operations between timeline samples must be 1 or more");
        }
        return n;
    }

    private static int seeds(ConfigValue value) {
        long n = Long.parseLong(value.value().trim());
        if (n < 1 || n > 10_000) {
            throw invalid(value, "seeds must be from 1 (each bug runs once) to 10000");
        }
        return (int) n;
    }

    private static int threads(ConfigValue value) {
        long n = Long.parseLong(value.value());
        if (n < 0 || n > 256) {
            throw invalid(value, "runs at once must be from 0 (one per core) to 256");
        }
        return n == 0 ? Runtime.getRuntime().availableProcessors() : (int) n;
    }

    private static PvmmException invalid(ConfigValue value, String problem) {
        return new PvmmException(PvmmError.INVALID_SETTING_VALUE, value.source().description(),
                Map.of("value", value.value(), "key", value.key(), "problem", problem));
    }
}
