package io.pvmm.cli;

import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import io.pvmm.trace.strace.ImportOptions;
import io.pvmm.trace.strace.ImportResult;
import io.pvmm.trace.strace.ImportWarning;
import io.pvmm.trace.strace.StraceImportException;
import io.pvmm.trace.strace.StraceImporter;
import io.pvmm.trace.strace.TouchPolicy;
import io.pvmm.trace.strace.TraceFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pvmm import-strace}: turns the log of {@code strace -f -e trace=%process,%memory -o FILE COMMAND}
 * into a pvmm trace, lists what it could not carry over, and writes the trace whole or not at all.
 */
@Command(name = "import-strace", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Import an strace log as a pvmm trace.",
            "Reads what 'strace -f -e trace=%%process,%%memory -o FILE COMMAND' writes and places the program's"
                + " 64-bit addresses in the i386 user space.",
            "The rules are in docs/traces.md."},
        footerHeading = "%nExamples:%n",
        footer = {"  strace -f -e trace=%%process,%%memory -o make.strace make -j2",
            "  pvmm import-strace make.strace -o make.trace",
            "  pvmm run --workload make.trace"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:the trace was written (warnings, if any, are listed)",
            "2:usage error, the log cannot be imported (PVMM-E050..E052), or the trace cannot be written (PVMM-E014);"
                + " nothing was written"})
final class ImportStraceCommand implements Callable<Integer> {

    /** The most warnings listed one by one; the rest are counted. */
    static final int LISTED_WARNINGS = 40;

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The strace log.")
    Path log;

    @Option(names = {"-o", "--output"}, paramLabel = "TRACE",
            description = "Where to write the trace (default: FILE with its extension replaced by .trace).")
    Path output;

    @Mixin
    Knobs knobs;

    ImportStraceCommand(CliContext context) {
        this.context = context;
    }

    /** The import's options, shared with {@code pvmm record}. */
    static final class Knobs {
        @Option(names = "--oversize", paramLabel = "clip|refuse", defaultValue = "clip",
                description = "A mapping that does not fit in the i386 user space: clip it and warn (default), or refuse the import.")
        String oversize;

        @Option(names = "--touch-write-pages", paramLabel = "N", defaultValue = "16",
                description = "Pages written in each newly writable mapping (default 16; 0: none).")
        int writePages;

        @Option(names = "--touch-read-pages", paramLabel = "N", defaultValue = "4",
                description = "Pages read in each read-only mapping (default 4; 0: none).")
        int readPages;

        @Option(names = "--touch-read-stride", paramLabel = "N", defaultValue = "16",
                description = "Pages between two reads of a read-only mapping (default 16).")
        int readStride;

        @Option(names = "--touch-stack-pages", paramLabel = "N", defaultValue = "2",
                description = "Pages written at the top of each stack, exec's argument pages included (1 to 32, default 2).")
        int stackPages;

        ImportOptions options(CommandSpec spec) {
            ImportOptions.Oversize o = switch (oversize) {
                case "clip" -> ImportOptions.Oversize.CLIP;
                case "refuse" -> ImportOptions.Oversize.REFUSE;
                default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--oversize must be clip or refuse, not '" + oversize + "'");
            };
            range(spec, "--touch-write-pages", writePages, 0, Integer.MAX_VALUE);
            range(spec, "--touch-read-pages", readPages, 0, Integer.MAX_VALUE);
            range(spec, "--touch-read-stride", readStride, 1, Integer.MAX_VALUE);
            range(spec, "--touch-stack-pages", stackPages, 1, 32);
            return new ImportOptions(o, new TouchPolicy(writePages, readPages, readStride, stackPages));
        }

        private static void range(CommandSpec spec, String option, int value, int min, int max) {
            if (value < min || value > max) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + " must be "
                        + (max == Integer.MAX_VALUE ? min + " or more" : "from " + min + " to " + max) + ", not " + value);
            }
        }
    }

    @Override
    public Integer call() {
        ImportOptions options = knobs.options(spec);
        Path in = context.workingDirectory().resolve(log);
        Path target = context.workingDirectory().resolve(output != null ? output : defaultOutput(log));
        String targetSource = output != null ? "-o option" : "the default output beside FILE";
        AtomicOutput.checkTarget(target, targetSource, in);
        ImportResult result;
        try {
            result = StraceImporter.importFile(in, options);
        } catch (IOException e) {
            throw new PvmmException(PvmmError.STRACE_LOG_UNREADABLE, null, Map.of("path", in, "cause", PvmmException.describe(e)), e);
        } catch (StraceImportException e) {
            throw failure(e, in);
        }
        writeTrace(result, List.of("imported from " + log.getFileName() + " by pvmm import-strace"), target, targetSource, in);
        report(result, target, spec.commandLine().getOut(), spec.commandLine().getErr());
        return ExitCodes.OK;
    }

    /** FILE with its extension replaced by {@code .trace}; never FILE itself. */
    static Path defaultOutput(Path log) {
        String name = log.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String out = base + ".trace";
        return log.resolveSibling(out.equals(name) ? name + ".trace" : out);
    }

    /**
     * The catalogue's error for an import that failed.
     *
     * @param e   the import's error
     * @param log the log
     * @return the exception to throw
     */
    static PvmmException failure(StraceImportException e, Path log) {
        if (e.reason() == StraceImportException.Reason.DOES_NOT_FIT) {
            return new PvmmException(PvmmError.MAPPING_DOES_NOT_FIT, null, Map.of("path", log, "line", e.line(),
                    "problem", e.problem(), "accepted", e.accepted(), "fix", e.fix() + "."), e);
        }
        return new PvmmException(PvmmError.STRACE_LOG_MALFORMED, null, Map.of("path", log,
                "problem", (e.line() > 0 ? "line " + e.line() + ": " : "") + e.problem(), "accepted", e.accepted(),
                "fix", e.fix() + "."), e);
    }

    /**
     * Writes the trace, whole or not at all.
     *
     * @param result   the import
     * @param comments comment lines for the trace's top
     * @param target   the trace file
     * @param source   where its path came from
     * @param inputs   files the command read, which the trace must not replace
     * @throws PvmmException {@link PvmmError#OUTPUT_NOT_WRITABLE} if it cannot be written; nothing is then replaced
     */
    static void writeTrace(ImportResult result, List<String> comments, Path target, String source, Path... inputs) {
        List<String> all = new java.util.ArrayList<>(comments);
        all.add(result.summary().toString());
        try (AtomicOutput out = AtomicOutput.open(target, source, inputs)) {
            try {
                TraceFiles.write(result.ops(), all, out.writer());
            } catch (IOException e) {
                throw new IllegalStateException("the output's writer keeps its failures", e); // never
            }
            out.commit();
        }
    }

    /**
     * Prints what was imported and the warnings.
     *
     * @param result the import
     * @param target the trace written
     * @param out    where the summary goes
     * @param err    where the warnings go
     */
    static void report(ImportResult result, Path target, PrintWriter out, PrintWriter err) {
        out.println("imported " + result.summary());
        out.println("wrote " + target);
        List<ImportWarning> warnings = result.warnings();
        if (!warnings.isEmpty()) {
            err.println("pvmm: " + warnings.size() + " warning(s):");
            warnings.stream().limit(LISTED_WARNINGS).forEach(w -> err.println("  " + w));
            if (warnings.size() > LISTED_WARNINGS) {
                err.println("  ... and " + (warnings.size() - LISTED_WARNINGS) + " more");
            }
        }
        out.flush();
        err.flush();
    }
}
