package io.pvmm.cli;

import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.Workload;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.Selection;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.guest.GuestRuntime;
import io.pvmm.runtime.guest.SelectedBackend;
import io.pvmm.runtime.guest.WorkloadResolver;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pvmm run}: boots a guest on the configured backend, runs a workload, shuts the guest down,
 * audits the backend and prints the report. A violation stops the workload as a guest {@code BUG()}
 * would; the report is printed whole either way.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run a workload on a backend and report hooks, counters, audit findings and violations.",
        footerHeading = "%nExamples:%n",
        footer = {"  pvmm run --backend native --workload fork-exit --format json",
            "  pvmm run --backend vmi --mode pae --workload pageattr --vcpus 2 --seed 7",
            "  pvmm run --backend xen --set guest.bug=skip-release-pt",
            "  pvmm run --workload workloads/make.trace"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:the run completed with no violation and an empty audit",
            "1:the run failed (a backend threw something other than a violation)",
            "2:usage or configuration error (PVMM-E008..E013)",
            "3:backend selection error (PVMM-E001..E007)",
            "4:violations, audit findings or a guest BUG (the report is printed)"})
final class RunCommand implements Callable<Integer> {

    /** Output formats. */
    enum Format { text, json }

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    RunOptions runOptions;

    @Mixin
    SystemPropertyOptions systemProperties;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", description = "text (default) or json.")
    Format format;

    RunCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PvmmRuntime runtime = context.runtime();
        Configuration config = runtime.configure(runOptions.applyTo(configOptions.applyTo(context.inputs())));
        Selection selection = runtime.select(config);
        GuestConfig guest = GuestRuntime.guestConfig(config);
        Workload workload = WorkloadResolver.resolve(config, context.workingDirectory());
        RunReport report = new GuestRun(selection.mode(), guest, workload).run(new SelectedBackend(runtime, selection));
        if (format == Format.json) {
            out.println(ReportJson.render(ReportJson.tree(report)));
        } else {
            ReportText.print(report, out);
        }
        out.flush();
        if (report.failure() != null) {
            return ExitCodes.FAILURE;
        }
        return report.problemsFound() ? ExitCodes.FINDINGS : ExitCodes.OK;
    }
}
