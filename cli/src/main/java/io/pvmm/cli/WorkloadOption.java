package io.pvmm.cli;

import io.pvmm.runtime.config.ConfigInputs;
import picocli.CommandLine.Option;

/** {@code --workload W}: shorthand for {@code --set workload.name=W}. */
final class WorkloadOption {

    @Option(names = "--workload", paramLabel = "W", completionCandidates = Completions.Workloads.class,
            description = "A built-in workload (boot, fork-exit, pageattr, smp-mixed, clone-race; lmbench-shaped: lat-fork, lat-exec, lat-shell, lat-pagefault, lat-mmap, lat-protfault, lat-ctx) or a trace file (workload.name).")
    String workload;

    /**
     * Adds the option, if given, to the configuration sources.
     *
     * @param inputs the other sources
     * @return the sources with the workload added
     */
    ConfigInputs applyTo(ConfigInputs inputs) {
        return workload == null ? inputs : inputs.withOption("workload.name", workload, "--workload");
    }
}
