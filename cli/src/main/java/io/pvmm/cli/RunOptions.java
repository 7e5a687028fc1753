package io.pvmm.cli;

import io.pvmm.runtime.config.ConfigInputs;
import picocli.CommandLine.Option;

/**
 * The options of a guest that are shorthand for settings: {@code --memory-mib N} is
 * {@code --set guest.memory-mib=N}, and so on, so each can also come from a system property, the
 * environment or the configuration file. {@link WorkloadOption} adds {@code --workload}.
 */
final class RunOptions {

    @Option(names = "--memory-mib", paramLabel = "N", description = "Guest RAM in MiB (guest.memory-mib).")
    String memoryMib;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the workload and injected faults (guest.seed).")
    String seed;

    @Option(names = "--vcpus", paramLabel = "N", description = "Virtual CPUs, one thread each (guest.vcpus).")
    String vcpus;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar, even on a terminal (cli.quiet).")
    boolean quiet;

    /**
     * Adds the options given to the configuration sources, as command-line values.
     *
     * @param inputs the other sources
     * @return the sources with these options added
     */
    ConfigInputs applyTo(ConfigInputs inputs) {
        ConfigInputs result = inputs;
        if (memoryMib != null) {
            result = result.withOption("guest.memory-mib", memoryMib, "--memory-mib");
        }
        if (seed != null) {
            result = result.withOption("guest.seed", seed, "--seed");
        }
        if (vcpus != null) {
            result = result.withOption("guest.vcpus", vcpus, "--vcpus");
        }
        if (quiet) {
            result = result.withOption("cli.quiet", "true", "--quiet");
        }
        return result;
    }
}
