package io.pvmm.cli;

import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.RuntimeKeys;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The configuration options every command that selects a backend shares: {@code --backend},
 * {@code --mode}, {@code --config} and {@code --set key=value}. They take precedence over system
 * properties, the environment and the configuration file.
 */
final class ConfigOptions {

    @Option(names = "--backend", paramLabel = "NAME", description = "Backend to use (overrides pvmm.backend, PVMM_BACKEND, the file).")
    String backend;

    @Option(names = "--mode", paramLabel = "MODE", description = "Paging mode: two-level or pae.")
    String mode;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: ./pvmm.properties, if present).")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Set any key, e.g. --set vmi.p2m-seed=7 (repeatable; keys without the pvmm. prefix).")
    Map<String, String> settings = new LinkedHashMap<>();

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
        if (config != null) {
            result = result.withOption(RuntimeKeys.CONFIG, config, "--config");
        }
        for (Map.Entry<String, String> e : settings.entrySet()) {
            result = result.withOption(e.getKey(), e.getValue(), "--set");
        }
        return result;
    }
}
