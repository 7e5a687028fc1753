package io.pvmm.trace.strace;

import io.pvmm.guest.workload.Op;
import io.pvmm.guest.workload.TextLines;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Imports the log of {@code strace -f -e trace=%process,%memory -o FILE COMMAND} as a pvmm trace: lines
 * lexed ({@link StraceLexer}), interrupted calls joined ({@link CallJoiner}), tasks followed
 * ({@link ProcessTracker}), addresses placed in the i386 user space ({@link AddressMapper}), operations
 * and touches written ({@link OpWriter}, {@link TouchPolicy}). The rules are in {@code docs/traces.md}.
 *
 * <pre>{@code
 * ImportResult r = StraceImporter.importFile(Path.of("make.strace"), ImportOptions.DEFAULTS);
 * TraceFiles.write(r.ops(), Path.of("make.trace"));
 * }</pre>
 */
public final class StraceImporter {

    private final ImportOptions options;

    /**
     * Creates an importer.
     *
     * @param options how to import
     */
    public StraceImporter(ImportOptions options) {
        this.options = options;
    }

    /**
     * Imports a log file.
     *
     * @param log     the strace log
     * @param options how to import
     * @return the operations, the counts and the warnings
     * @throws StraceImportException if the log cannot be imported
     * @throws IOException           if the file cannot be read
     */
    public static ImportResult importFile(Path log, ImportOptions options) throws StraceImportException, IOException {
        try (TextLines in = TextLines.open(log)) {
            return new StraceImporter(options).read(in);
        }
    }

    /**
     * Imports a log.
     *
     * @param in the log's text
     * @return the operations, the counts and the warnings
     * @throws StraceImportException if the log cannot be imported
     * @throws IOException           if reading fails
     */
    public ImportResult read(Reader in) throws StraceImportException, IOException {
        return read(TextLines.of(in));
    }

    private ImportResult read(TextLines r) throws StraceImportException, IOException {
        List<ImportWarning> warnings = new ArrayList<>();
        CallJoiner joiner = new CallJoiner(warnings);
        ProcessTracker tracker = new ProcessTracker(warnings);
        String raw;
        int number = 0;
        int recognised = 0;
        StraceLine firstUnknown = null;
        while ((raw = next(r)) != null) {
            StraceLine line = StraceLexer.lex(++number, raw);
            int pid = tracker.resolve(line.pid());
            switch (line.kind()) {
                case CALL -> tracker.call(Syscall.of(line.number(), line.number(), pid, line.name(), line.args(), line.result()));
                case UNFINISHED -> joiner.start(pid, line);
                case RESUMED -> {
                    Syscall call = joiner.resume(pid, line);
                    if (call != null) {
                        tracker.call(call);
                    }
                }
                case EXITED, KILLED, SUPERSEDED -> tracker.ended(line.number(), pid);
                case SIGNAL, NOTE -> {
                }
                case UNRECOGNISED -> {
                    firstUnknown = firstUnknown == null ? line : firstUnknown;
                    warnings.add(new ImportWarning(line.number(), ImportWarning.Kind.UNRECOGNISED_LINE, line.name()
                            + ": '" + abbreviate(raw) + "'; skipped"));
                }
            }
            if (line.kind() != StraceLine.Kind.UNRECOGNISED && line.kind() != StraceLine.Kind.NOTE) {
                recognised++;
            }
        }
        if (recognised == 0) {
            throw notALog(number, firstUnknown);
        }
        joiner.finish();
        tracker.finish();
        List<MmEvent> events = tracker.events();
        Map<Integer, LayoutPlan> plans = AddressMapper.plan(events);
        OpWriter writer = new OpWriter(plans, options, warnings);
        List<Op> ops = writer.write(events);
        warnings.sort(Comparator.comparingInt(w -> w.line() == 0 ? Integer.MAX_VALUE : w.line()));
        int touches = (int) ops.stream().filter(o -> o instanceof Op.Touch).count();
        int execs = (int) events.stream().filter(e -> e instanceof MmEvent.Exec).count();
        ImportSummary summary = new ImportSummary(number, tracker.processes(), tracker.threads(), execs, writer.mappings(),
                writer.implicitMappings(), writer.files(), tracker.failedCalls(), tracker.unknownCalls(), writer.clipped(),
                ops.size(), touches);
        return new ImportResult(ops, summary, warnings);
    }

    private static String next(TextLines r) throws StraceImportException, IOException {
        try {
            return r.next();
        } catch (TextLines.BadLine e) {
            throw new StraceImportException(StraceImportException.Reason.MALFORMED, e.line(), e.found(),
                    TextLines.ACCEPTED + ", as strace -o FILE writes them",
                    "Give the file strace wrote with -o, not a binary or another encoding");
        }
    }

    private static StraceImportException notALog(int lines, StraceLine first) {
        String accepted = "lines as strace -f -o FILE writes them: PID NAME(ARGS) = RESULT, PID NAME(ARGS <unfinished ...>, "
                + "PID <... NAME resumed>ARGS) = RESULT, PID --- SIGNAL ---, PID +++ exited with N +++";
        String fix = "Give the file strace wrote with -o (record one with: strace -f -e trace=%process,%memory -o FILE COMMAND, "
                + "or pvmm record -- COMMAND)";
        if (lines == 0 || first == null) {
            return new StraceImportException(StraceImportException.Reason.MALFORMED, 0, "the log is empty", accepted, fix);
        }
        return new StraceImportException(StraceImportException.Reason.MALFORMED, first.number(),
                "no line of the file is an strace line; the first is " + first.name(), accepted, fix);
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() <= 80 ? t : t.substring(0, 77) + "...";
    }
}
