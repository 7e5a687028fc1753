package io.pvmm.cli;

import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code -Dkey=value} option, accepted before or after the command name: sets a system property
 * before configuration is read, as the JVM's own {@code -D} would.
 */
final class SystemPropertyOptions {

    private final CliContext context;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    SystemPropertyOptions(CliContext context) {
        this.context = context;
    }

    @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Set a system property, e.g. -Dpvmm.backend=native (see docs/configuration.md).")
    void define(Map<String, String> properties) {
        if (properties == null) {
            return; // picocli resetting the option before a parse
        }
        if (properties.keySet().stream().anyMatch(String::isBlank)) {
            throw new ParameterException(mixee.commandLine(), "-D needs KEY=VALUE, e.g. -Dpvmm.backend=native, with no space after -D");
        }
        properties.forEach(context::defineProperty);
    }
}
