package io.pvmm.cli;

import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The {@code -Dkey=value} option, accepted before or after the command name: sets a system property
 * before configuration is read, as the JVM's own {@code -D} would.
 */
final class SystemPropertyOptions {

    private final CliContext context;

    SystemPropertyOptions(CliContext context) {
        this.context = context;
    }

    @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Set a system property, e.g. -Dpvmm.backend=native (see docs/configuration.md).")
    void define(Map<String, String> properties) {
        if (properties != null) {
            properties.forEach(context::defineProperty);
        }
    }
}
