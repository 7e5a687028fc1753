package io.pvmm.cli;

import io.pvmm.guest.workload.TraceFormatException;
import io.pvmm.guest.workload.TraceWorkload;
import io.pvmm.guest.workload.Workload;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pvmm replay TRACE}: {@code pvmm run} with a recorded trace as the workload, whatever its name.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run a recorded trace (the pvmm trace format, docs/traces.md) on a backend, with the options of pvmm run.",
        footerHeading = "%nExamples:%n",
        footer = {"  pvmm replay workloads/make.trace",
            "  pvmm replay make.trace --backend xen --mode pae --vcpus 2 --format json",
            "  pvmm replay make.trace --backend vmi --record-hooks make.hooks"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:the trace ran with no violation, no audit finding, balanced hooks and no frame leaked",
            "1:the run failed: a backend threw something other than a violation (PVMM-E017), or the guest hit a BUG"
                + " with no bug injected (PVMM-E018); the report is printed first",
            "2:usage or configuration error, or a missing or malformed trace (PVMM-E012, PVMM-E013)",
            "3:backend selection error (PVMM-E001..E007)",
            "4:a finding: a violation, an audit finding, unbalanced hooks, leaked frames, or the BUG an injected guest bug led to (the whole report is printed)"})
final class ReplayCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "TRACE", description = "The trace file to run.")
    Path trace;

    @Mixin
    BackendOptions backendOptions;

    @Mixin
    RunOptions runOptions;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    SystemPropertyOptions systemProperties;

    @Mixin
    RunOutputOptions outputOptions;

    ReplayCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        ConfigInputs inputs = OptionConflicts.check(
                outputOptions.applyTo(runOptions.applyTo(backendOptions.applyTo(configOptions.applyTo(context.inputs())))));
        Path path = context.workingDirectory().resolve(trace).toAbsolutePath().normalize();
        return RunExecution.run(context, spec, inputs, config -> read(path), path);
    }

    /**
     * Reads a trace file.
     *
     * @param path the file
     * @return the workload
     * @throws PvmmException {@link PvmmError#TRACE_UNREADABLE} or {@link PvmmError#MALFORMED_TRACE}
     */
    static Workload read(Path path) {
        try {
            return TraceWorkload.read(path);
        } catch (TraceFormatException e) {
            throw new PvmmException(PvmmError.MALFORMED_TRACE, "TRACE argument", Map.of("path", path, "line", e.line(),
                    "expected", e.expected(), "found", e.found()), e);
        } catch (IOException e) {
            throw new PvmmException(PvmmError.TRACE_UNREADABLE, "TRACE argument", Map.of("path", path, "cause", e.toString()), e);
        }
    }
}
