package io.pvmm.cli;

import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import io.pvmm.trace.strace.ImportOptions;
import io.pvmm.trace.strace.ImportResult;
import io.pvmm.trace.strace.StraceImportException;
import io.pvmm.trace.strace.StraceImporter;
import io.pvmm.trace.strace.StraceRecorder;
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
 * {@code pvmm record}: runs a command under {@code strace -f -e trace=%process,%memory -o LOG} and imports
 * the log as a pvmm trace in one step, reporting the command's exit status.
 */
@Command(name = "record", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Record a command's system calls with strace and import them as a pvmm trace.",
            "Runs 'strace -f -e trace=%%process,%%memory -o LOG COMMAND...' in the working directory, then"
                + " imports LOG as 'pvmm import-strace' does.",
            "The command's output is shown when it ends."},
        footerHeading = "%nExamples:%n",
        footer = {"  pvmm record -o /tmp/make.trace -- make -j2",
            "  pvmm record --keep-log sort.strace -- sh -c 'seq 1 20000 | sort -n | tail -1'",
            "  pvmm run --workload /tmp/make.trace"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:the trace was written (the command's own exit status is reported, whatever it was)",
            "1:strace is missing (PVMM-E053) or recorded nothing (PVMM-E054)",
            "2:usage error, the log cannot be imported (PVMM-E050..E052), or the trace or log cannot be written (PVMM-E014)"})
final class RecordCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "TRACE",
            description = "Where to write the trace (default: ./<command>.trace).")
    Path output;

    @Option(names = "--strace", paramLabel = "PATH", description = "The strace to run (default: strace on the PATH).")
    String strace;

    @Option(names = "--keep-log", paramLabel = "FILE", description = "Also keep strace's log in FILE.")
    Path keepLog;

    @Mixin
    ImportStraceCommand.Knobs knobs;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The command to record and its arguments, after --.")
    List<String> command;

    RecordCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        ImportOptions options = knobs.options(spec);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = context.workingDirectory();
        Path target = dir.resolve(output != null ? output : Path.of(Path.of(command.get(0)).getFileName() + ".trace"));
        String targetSource = output != null ? "-o option" : "the default output in the working directory";
        AtomicOutput.checkTarget(target, targetSource);
        if (keepLog != null) {
            AtomicOutput.checkTarget(dir.resolve(keepLog), "--keep-log option", target);
        }
        Path straceBinary;
        try {
            straceBinary = StraceRecorder.locate(strace, context.inputs().environment());
        } catch (StraceRecorder.StraceNotFoundException e) {
            throw new PvmmException(PvmmError.STRACE_NOT_FOUND, strace == null ? null : "--strace option",
                    Map.of("detail", e.getMessage()), e);
        }
        Path log = Files.createTempFile("pvmm-record", ".strace");
        log.toFile().deleteOnExit(); // gone even when the recording is interrupted
        try {
            StraceRecorder.Recording rec;
            try {
                rec = StraceRecorder.record(straceBinary, command, dir, log);
            } catch (StraceRecorder.StraceNotFoundException e) {
                throw new PvmmException(PvmmError.STRACE_NOT_FOUND, "--strace option", Map.of("detail", e.getMessage()), e);
            }
            out.print(rec.stdout());
            err.print(rec.stderr());
            if (!rec.hasLog()) {
                throw new PvmmException(PvmmError.STRACE_RECORD_FAILED, null, Map.of("command", String.join(" ", command),
                        "detail", "strace exited with status " + rec.exitStatus() + " and wrote no log",
                        "stderr", rec.stderr().isBlank() ? "(nothing)" : rec.stderr().strip().replace("\n", "\n  ")));
            }
            if (keepLog != null) {
                try (AtomicOutput kept = AtomicOutput.open(dir.resolve(keepLog), "--keep-log option", target)) {
                    kept.copy(log);
                    kept.commit(); // a new file's usual mode, not the temporary's 0600
                }
            }
            ImportResult result;
            try {
                result = StraceImporter.importFile(log, options);
            } catch (StraceImportException e) {
                throw ImportStraceCommand.failure(e, keepLog != null ? dir.resolve(keepLog) : log);
            }
            ImportStraceCommand.writeTrace(result, List.of("recorded by pvmm record -- " + String.join(" ", command),
                    "with strace " + String.join(" ", StraceRecorder.STRACE_OPTIONS)), target, targetSource,
                    keepLog != null ? dir.resolve(keepLog) : null);
            out.println("command exited with status " + rec.exitStatus());
            ImportStraceCommand.report(result, target, out, err);
            return ExitCodes.OK;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
