package io.pvmm.cli;

import io.pvmm.runtime.plugin.BackendJarCheck;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pvmm backends check JAR}: validates a third-party backend jar before it is installed. */
@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Check a third-party backend jar the way pvmm will load it, in a class loader of its own.",
            "It checks: one provider registered in META-INF/services (a module-info provides alone is not read from backends/);"
                + " its service file and module-info agree; no copy of the SPI classes inside; the provider constructs and"
                + " describes itself; its SPI version is compatible; its name is not taken by a backend pvmm already finds;"
                + " create() builds a backend on which a small guest boots in every declared mode.",
            "Each check is reported."},
        footerHeading = "%nExamples:%n",
        footer = {"  pvmm backends check target/acme-backend-0.3.jar",
            "  pvmm backends check backends/acme-backend-0.3.jar && echo installed"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:every check passed",
            "2:not a backend jar (PVMM-E015), or a check failed (PVMM-E032)",
            "3:the SPI version is incompatible (PVMM-E007)"})
final class BackendsCheckCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "JAR", description = "The backend jar to check.")
    Path jar;

    BackendsCheckCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        BackendJarCheck.Result result = BackendJarCheck.check(context.workingDirectory().resolve(jar), context.runtime().registry());
        out.println("Checking " + result.jar());
        for (BackendJarCheck.Check c : result.checks()) {
            out.printf("  %-7s %-28s %s%n", c.ok() ? "ok" : "FAILED", c.name(), c.detail());
        }
        out.flush();
        if (result.error().isPresent()) {
            throw result.error().get();
        }
        out.println("backend '" + result.backend().orElseThrow().name() + "' passed every check: copy the jar into the "
                + "distribution's backends/ directory, or a directory of --backend-path.");
        return ExitCodes.OK;
    }
}
