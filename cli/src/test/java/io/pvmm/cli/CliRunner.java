package io.pvmm.cli;

import io.pvmm.runtime.PvmmRuntime;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/** Runs the pvmm command in-process against given system properties, environment and directory. */
final class CliRunner {

    /**
     * What a run printed and returned.
     *
     * @param exitCode the exit code
     * @param out      standard output
     * @param err      standard error
     */
    record Result(int exitCode, String out, String err) {
    }

    private final Path workingDirectory;
    private Map<String, String> systemProperties = Map.of();
    private Map<String, String> environment = Map.of();
    private Supplier<PvmmRuntime> runtime;
    private boolean terminal;

    CliRunner(Path workingDirectory) {
        this.workingDirectory = workingDirectory;
    }

    CliRunner systemProperties(Map<String, String> properties) {
        this.systemProperties = properties;
        return this;
    }

    CliRunner environment(Map<String, String> variables) {
        this.environment = variables;
        return this;
    }

    CliRunner runtime(Supplier<PvmmRuntime> factory) {
        this.runtime = factory;
        return this;
    }

    /** Runs as if standard error were a terminal, where progress bars are drawn. */
    CliRunner terminal() {
        this.terminal = true;
        return this;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliContext context = (runtime == null ? CliContext.of(systemProperties, environment, workingDirectory)
                : CliContext.of(systemProperties, environment, workingDirectory, runtime)).withTerminal(terminal);
        int code = Main.execute(context, new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }
}
