package io.pvmm.cli;

import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.guest.WorkloadResolver;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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
            "  pvmm run --workload workloads/make.trace",
            "  pvmm run --backend native --workload fork-exit --record-hooks fork.hooks"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:the run completed with no violation, no audit finding, balanced hooks and no frame leaked",
            "1:the run failed: a backend threw something other than a violation (PVMM-E017), or the guest hit a BUG"
                + " with no bug injected (PVMM-E018); the report is printed first",
            "2:usage or configuration error (PVMM-E008..E014)",
            "3:backend selection error (PVMM-E001..E007)",
            "4:a finding: a violation, an audit finding, unbalanced hooks, leaked frames, or the BUG an injected guest bug led to (the whole report is printed)"})
final class RunCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Mixin
    BackendOptions backendOptions;

    @Mixin
    WorkloadOption workloadOption;

    @Mixin
    RunOptions runOptions;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    SystemPropertyOptions systemProperties;

    @Mixin
    RunOutputOptions outputOptions;

    RunCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        ConfigInputs inputs = configOptions.applyTo(context.inputs());
        inputs = OptionConflicts.check(outputOptions.applyTo(runOptions.applyTo(workloadOption.applyTo(backendOptions.applyTo(inputs)))));
        return RunExecution.run(context, spec, inputs, config -> WorkloadResolver.resolve(config, context.workingDirectory()), null);
    }
}
