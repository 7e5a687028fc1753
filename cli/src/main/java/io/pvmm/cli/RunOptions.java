package io.pvmm.cli;

import io.pvmm.runtime.config.ConfigInputs;
import picocli.CommandLine.Option;

/**
 * The options of a run that are shorthand for settings: {@code --workload W} is
 * {@code --set workload.name=W}, {@code --memory-mib N} is {@code --set guest.memory-mib=N}, and so
 * on, so each can also come from a system property, the environment or the configuration file.
 */
final class RunOptions {

    @Option(names = "--workload", paramLabel = "W",
            description = "A built-in workload (boot, fork-exit, pageattr, smp-mixed) or a trace file's path (workload.name).")
    String workload;

    @Option(names = "--memory-mib", paramLabel = "N", description = "Guest RAM in MiB (guest.memory-mib).")
    String memoryMib;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the workload and injected faults (guest.seed).")
    String seed;

    @Option(names = "--vcpus", paramLabel = "N", description = "Virtual CPUs, one thread each (guest.vcpus).")
    String vcpus;

    /**
     * Adds the options given to the configuration sources, as command-line values.
     *
     * @param inputs the other sources
     * @return the sources with these options added
     */
    ConfigInputs applyTo(ConfigInputs inputs) {
        ConfigInputs result = inputs;
        if (workload != null) {
            result = result.withOption("workload.name", workload, "--workload");
        }
        if (memoryMib != null) {
            result = result.withOption("guest.memory-mib", memoryMib, "--memory-mib");
        }
        if (seed != null) {
            result = result.withOption("guest.seed", seed, "--seed");
        }
        if (vcpus != null) {
            result = result.withOption("guest.vcpus", vcpus, "--vcpus");
        }
        return result;
    }
}
