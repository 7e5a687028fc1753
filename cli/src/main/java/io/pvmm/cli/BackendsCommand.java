package io.pvmm.cli;

import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.Selection;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.ProviderFailure;
import io.pvmm.runtime.error.PvmmException;
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
        subcommands = BackendsCheckCommand.class,
        description = {"List the discovered backends: modes, platform requirements, SPI version, settings, and the jar each came from.",
            "Third-party backends are jars in the distribution's backends/ directory or in a directory of --backend-path."},
        footerHeading = "%nExamples:%n",
        footer = {"  pvmm backends",
            "  pvmm backends --explain --backend xen --mode pae",
            "  pvmm backends --backend-path ~/pvmm-backends",
            "  pvmm backends check acme-backend-0.3.jar"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:success", "2:usage or configuration error (PVMM-E008..E010)", "3:backend selection error (PVMM-E001..E007)"})
final class BackendsCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Mixin
    BackendOptions backendOptions;

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
        ConfigInputs inputs = backendOptions.applyTo(configOptions.applyTo(context.inputs()));
        PvmmRuntime runtime = context.runtime(inputs);
        BackendRegistry registry = runtime.registry();
        BackendListing.print(registry, out);
        out.println();
        out.println("Backend path (each jar, or sub-directory of jars, in a class loader of its own):");
        BackendListing.row(out, "searched", context.backendPath(inputs).describe());
        out.flush();
        BackendListing.warnAboutPath(registry, err);
        if (!explain) { // the listing stands, but a misspelt key is reported here as run and config report it
            try {
                runtime.configure(inputs);
            } catch (PvmmException e) {
                err.println("warning: " + e.getMessage());
            }
        }
        for (ProviderFailure failure : registry.failures()) {
            err.println("warning: " + failure.toException().getMessage());
        }
        // a clash makes its name ambiguous: said as an error, naming both jars; every other backend stays selectable
        for (String name : registry.duplicates().keySet()) {
            err.println("error: " + registry.clash(name, "").getMessage());
        }
        err.flush();
        registry.requireBackends();
        if (explain) {
            Configuration config = runtime.configure(inputs);
            Selection selection = runtime.select(config);
            SelectionReport.print(selection, config, out);
        }
        return registry.duplicates().isEmpty() ? ExitCodes.OK : ExitCodes.BACKEND_SELECTION;
    }
}
