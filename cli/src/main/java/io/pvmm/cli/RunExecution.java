package io.pvmm.cli;

import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.Op;
import io.pvmm.guest.workload.Workload;
import io.pvmm.guest.workload.WorkloadSettings;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.Selection;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.ConfigValue;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.RuntimeKeys;
import io.pvmm.runtime.error.PvmmException;
import io.pvmm.runtime.guest.GuestRuntime;
import io.pvmm.runtime.guest.SelectedBackend;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;

/**
 * One run on the configured backend, as {@code pvmm run} and {@code pvmm replay} do it: configure,
 * select, resolve the workload, open the hook recording if asked (before running, so a bad path fails
 * first), run with a progress bar, print the report, and choose the exit code.
 */
final class RunExecution {

    private RunExecution() {
    }

    /**
     * Runs and reports.
     *
     * @param context  the command's context
     * @param spec     the command, for its output streams
     * @param inputs   the configuration sources, the command's options included
     * @param workload resolves the workload from the configuration
     * @param trace    the trace file the workload comes from, or null when the configuration names it
     * @return the exit code
     */
    static int run(CliContext context, CommandSpec spec, ConfigInputs inputs, Function<Configuration, Workload> workload, Path trace) {
        PrintWriter out = spec.commandLine().getOut();
        PvmmRuntime runtime = context.runtime(inputs);
        BackendListing.warnAboutPath(runtime.registry(), spec.commandLine().getErr());
        Configuration config = runtime.configure(inputs);
        Selection selection = runtime.select(config);
        GuestConfig guest = GuestRuntime.guestConfig(runtime.registry(), config, selection);
        Workload w = workload.apply(config);
        ConfigValue record = config.get("run.record-hooks");
        BackendFactory factory = new SelectedBackend(runtime, selection);
        AtomicOutput recording = record.value().isEmpty() ? null
                : AtomicOutput.open(context.workingDirectory().resolve(record.value()), record.source().description(),
                inputFiles(context, config, trace));
        RunReport report;
        boolean shown = context.terminal() && !config.get("cli.quiet").value().equals("true");
        try (recording; Progress progress = Progress.open(spec.commandLine().getErr(), shown, 1)) {
            HookRecorder recorder = null;
            if (recording != null) {
                Map<String, String> info = new LinkedHashMap<>();
                info.put("workload", w.name());
                info.put("seed", Long.toString(guest.seed()));
                info.put("kernel", guest.kernel().toString());
                recorder = new HookRecorder(factory, recording, info);
                factory = recorder;
            }
            progress.start(selection.name() + " " + selection.mode().configName() + " " + w.name());
            report = new GuestRun(selection.mode(), guest, w).audit(GuestRuntime.auditSchedule(config)).observe(new RunObserver() {
                @Override
                public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
                    progress.operation();
                }
            }).run(factory);
            progress.finish();
            if (recorder != null) {
                recorder.finish();
            }
        }
        if ("json".equals(config.get("run.format").value())) {
            out.println(ReportJson.render(ReportJson.tree(report)));
        } else {
            ReportText.print(report, out, config.get("cli.verbose").value().equals("true"));
            if (recording != null) {
                out.println("hook calls recorded in " + recording.target());
            }
        }
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        if (report.failure() != null) {
            PvmmException e = RunFailures.failure(report);
            err.println(e.getMessage());
            return e.exitCode();
        }
        if (report.bug() != null && guest.bugs().isEmpty()) { // an injected bug's BUG is a finding, below
            PvmmException e = RunFailures.guestBug(report);
            err.println(e.getMessage());
            return e.exitCode();
        }
        return report.anythingFound() ? ExitCodes.FINDINGS : ExitCodes.OK;
    }

    /**
     * The files a run reads, which none of its outputs may replace: the trace and the configuration file.
     *
     * @param context the command's context
     * @param config  the configuration
     * @param trace   the trace file, or null to take the workload key's value as one
     * @return the paths (some may not exist)
     */
    static Path[] inputFiles(CliContext context, Configuration config, Path trace) {
        Path dir = context.workingDirectory();
        String workload = config.get(WorkloadSettings.NAMESPACE + ".name").value();
        String file = config.get(RuntimeKeys.CONFIG).value();
        return new Path[] {trace != null ? trace : workload.isEmpty() ? null : dir.resolve(workload),
            file.isEmpty() ? null : dir.resolve(file), dir.resolve(RuntimeKeys.DEFAULT_CONFIG_FILE)};
    }
}
