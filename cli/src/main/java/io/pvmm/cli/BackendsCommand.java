package io.pvmm.cli;

import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.Selection;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.ProviderFailure;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pvmm backends}: lists every discovered backend and the providers that failed to load;
 * with {@code --explain}, also which backend the configuration selects and why.
 */
@Command(name = "backends", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List the discovered backends: modes, platform requirements, SPI version, settings, and the jar each came from.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:success", "2:usage or configuration error (PVMM-E008..E010)", "3:backend selection error (PVMM-E001..E007)"})
final class BackendsCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    SystemPropertyOptions systemProperties;

    @Option(names = "--explain", description = "Also say which backend the configuration selects, from which source, and what it shadows.")
    boolean explain;

    BackendsCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PvmmRuntime runtime = context.runtime();
        BackendRegistry registry = runtime.registry();
        BackendListing.print(registry, out);
        out.flush();
        for (ProviderFailure failure : registry.failures()) {
            err.println("warning: " + failure.toException().getMessage());
        }
        err.flush();
        registry.requireBackends();
        registry.requireUniqueNames();
        if (explain) {
            Configuration config = runtime.configure(configOptions.applyTo(context.inputs()));
            Selection selection = runtime.select(config);
            SelectionReport.print(selection, config, out);
        }
        return ExitCodes.OK;
    }
}
