package io.pvmm.cli;

import io.pvmm.runtime.error.DidYouMean;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The entry point of the {@code pvmm} command. {@link #main} is the only place that exits the JVM;
 * {@link #execute} runs a command line and returns its exit code (see {@link ExitCodes}).
 */
public final class Main {

    private Main() {
    }

    /**
     * Runs the command line and exits with its exit code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs a command line in the real process, printing to standard output and error.
     *
     * @param args the arguments
     * @return the exit code
     */
    public static int execute(String... args) {
        return execute(CliContext.system(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), true, args);
    }

    /**
     * Runs a command line against a given context and streams.
     *
     * @param context system properties, environment, working directory and runtime
     * @param out     where results go
     * @param err     where errors and warnings go
     * @param args    the arguments
     * @return the exit code: 0 ok, 1 failure, 2 usage or configuration error, 3 backend selection
     *         error, 4 violations or findings
     */
    public static int execute(CliContext context, PrintWriter out, PrintWriter err, String... args) {
        return execute(context, out, err, false, args);
    }

    private static int execute(CliContext context, PrintWriter out, PrintWriter err, boolean terminalWidth, String... args) {
        CommandLine commandLine = commandLine(context)
                .setUsageHelpAutoWidth(terminalWidth) // help as wide as the terminal it is read in
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler(Main::usageError)
                .setExecutionExceptionHandler((e, cl, parseResult) -> failure(e, cl.getErr()));
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * The command tree, every command created with the context.
     *
     * @param context what the commands run against
     * @return the root command
     */
    static CommandLine commandLine(CliContext context) {
        CommandLine commandLine = new CommandLine(PvmmCommand.class, new CliFactory(context));
        CommandLine completion = commandLine.getSubcommands().get("generate-completion");
        completion.getCommandSpec().usageMessage().hidden(true); // for installers, not for the command list
        return commandLine;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        String problem = String.valueOf(e.getMessage()).strip().replace("option option ", "option ");
        if (problem.endsWith(".")) {
            problem = problem.substring(0, problem.length() - 1);
        }
        StringWriter suggestions = new StringWriter();
        UnmatchedArgumentException.printSuggestions(e, new PrintWriter(suggestions));
        String hint = suggestions.toString().strip().replace("\n", "; ");
        if (e instanceof UnmatchedArgumentException u && cl.getCommandSpec().parent() == null && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-")) {
            String name = u.getUnmatched().get(0);
            List<String> commands = PvmmCommand.commandNames(cl.getCommandSpec());
            problem = "unknown command '" + name + "'";
            hint = "The commands are " + String.join(", ", commands) + "." + DidYouMean.sentence(name, commands);
        }
        PvmmException p = new PvmmException(PvmmError.BAD_COMMAND_LINE, null, Map.of("problem", problem,
                "suggestions", hint, "command", cl.getCommandSpec().qualifiedName()), e);
        err.println(p.getMessage());
        return p.exitCode();
    }

    private static int failure(Exception e, PrintWriter err) {
        if (e instanceof PvmmException p) {
            err.println(p.getMessage());
            return p.exitCode();
        }
        err.println("pvmm: internal error: " + e);
        e.printStackTrace(err);
        return ExitCodes.FAILURE;
    }
}
