package io.pvmm.cli;

import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.RuntimeKeys;
import picocli.CommandLine.Option;

/** The options that choose one backend and the paging mode: {@code --backend} and {@code --mode}. */
final class BackendOptions {

    @Option(names = "--backend", paramLabel = "NAME", completionCandidates = Completions.Backends.class, description = "Backend to use (overrides pvmm.backend, PVMM_BACKEND, the file).")
    String backend;

    @Option(names = "--mode", paramLabel = "MODE", completionCandidates = Completions.Modes.class, description = "Paging mode: two-level or pae.")
    String mode;

    /**
     * Adds the options given to the configuration sources.
     *
     * @param inputs the other sources
     * @return the sources with the command-line values added
     */
    ConfigInputs applyTo(ConfigInputs inputs) {
        ConfigInputs result = inputs;
        if (backend != null) {
            result = result.withOption(RuntimeKeys.BACKEND, backend, "--backend");
        }
        if (mode != null) {
            result = result.withOption(RuntimeKeys.MODE, mode, "--mode");
        }
        return result;
    }
}
