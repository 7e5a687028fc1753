package io.pvmm.cli;

import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.ConfigValue;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.RuntimeKeys;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pvmm config}: every key with its effective value and the source it came from. */
@Command(name = "config", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Print the effective configuration: every key pvmm reads, its value, and its source.",
            "A source is an option, a system property, the environment, the configuration file's line, or the default."},
        footerHeading = "%nExamples:%n",
        footer = {"  pvmm config",
            "  PVMM_BACKEND=xen pvmm config --all       also the values each key's value shadows",
            "  pvmm config --set compare.backends=native,xen --config lab.properties"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:success",
            "2:a configuration error (PVMM-E008..E010)"})
final class ConfigCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Mixin
    BackendOptions backendOptions;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    SystemPropertyOptions systemProperties;

    @Option(names = "--all", description = "Also list, under each key, the lower-precedence values it shadows.")
    boolean all;

    ConfigCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ConfigInputs inputs = OptionConflicts.check(backendOptions.applyTo(configOptions.applyTo(context.inputs())));
        PvmmRuntime runtime = context.runtime(inputs);
        Configuration config = runtime.configure(inputs);
        out.println("# effective configuration; precedence: option, system property, environment, file, default");
        out.println("# config file: " + config.file().path() + (config.file().present() ? "" : " (not present)"));
        for (String key : config.catalog().keys()) {
            List<ConfigValue> values = config.candidates(key);
            ConfigValue v = values.get(0);
            out.println(RuntimeKeys.propertyName(key) + " = " + v.value() + "    (" + v.source().description() + ")");
            if (all) {
                for (ConfigValue shadowed : values.subList(1, values.size())) {
                    out.println("    shadows " + shadowed.value() + "    (" + shadowed.source().description() + ")");
                }
            }
        }
        return ExitCodes.OK;
    }
}
