package io.pvmm.cli;

import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.RuntimeKeys;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The configuration options every command that reads configuration shares: {@code --config},
 * {@code --set key=value} and {@code --backend-path}. They take precedence over system properties, the
 * environment and the configuration file.
 */
final class ConfigOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: ./pvmm.properties, if present).")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Set any key, e.g. --set vmi.p2m-seed=7 (repeatable; keys without the pvmm. prefix).")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--backend-path", paramLabel = "DIRS",
            description = "Directories of third-party backend jars, besides the distribution's backends/ (backend.path).")
    String backendPath;

    /**
     * Adds the options given to the configuration sources.
     *
     * @param inputs the other sources
     * @return the sources with the command-line values added
     */
    ConfigInputs applyTo(ConfigInputs inputs) {
        ConfigInputs result = inputs;
        if (config != null) {
            result = result.withOption(RuntimeKeys.CONFIG, config, "--config");
        }
        if (backendPath != null) {
            result = result.withOption(RuntimeKeys.BACKEND_PATH, backendPath, "--backend-path");
        }
        for (Map.Entry<String, String> e : settings.entrySet()) {
            result = result.withOption(e.getKey(), e.getValue(), "--set");
        }
        return result;
    }
}
