package io.pvmm.cli;

import io.pvmm.runtime.config.ConfigInputs;
import picocli.CommandLine.Option;

/** What {@code pvmm run} and {@code pvmm replay} write: the report's format and an optional hook recording. */
final class RunOutputOptions {

    @Option(names = "--format", paramLabel = "FORMAT", description = "text (default) or json (run.format).")
    String format;

    @Option(names = "--record-hooks", paramLabel = "FILE",
            description = "Write every hook call of the run to FILE, for pvmm replay-hooks (run.record-hooks).")
    String recordHooks;

    @Option(names = "--verbose", description = "Print the stack frames of a backend that failed, for its author (cli.verbose).")
    boolean verbose;

    /**
     * Adds the options that were given to the configuration sources.
     *
     * @param inputs the other sources
     * @return the sources with {@code run.format} and {@code run.record-hooks} added where given
     */
    ConfigInputs applyTo(ConfigInputs inputs) {
        ConfigInputs result = inputs;
        if (format != null) {
            result = result.withOption("run.format", format, "--format");
        }
        if (recordHooks != null) {
            result = result.withOption("run.record-hooks", recordHooks, "--record-hooks");
        }
        if (verbose) {
            result = result.withOption("cli.verbose", "true", "--verbose");
        }
        return result;
    }
}
