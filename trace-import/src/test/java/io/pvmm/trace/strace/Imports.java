package io.pvmm.trace.strace;

import io.pvmm.guest.workload.Op;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.List;

/** Imports strace snippets written in tests. */
final class Imports {

    /** The root's execve and first brk, as every log starts. */
    static final String ROOT = """
            100 execve("/usr/bin/prog", ["prog"], 0x7ffe0 /* 3 vars */) = 0
            100 brk(NULL)                         = 0x555555559000
            """;

    /** The root's exit, as every complete log ends. */
    static final String END = """
            100 exit_group(0)                     = ?
            100 +++ exited with 0 +++
            """;

    private Imports() {
    }

    static ImportResult run(String log) throws StraceImportException {
        return run(ImportOptions.DEFAULTS, log);
    }

    static ImportResult run(ImportOptions options, String log) throws StraceImportException {
        try {
            return new StraceImporter(options).read(new StringReader(log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The trace lines, touches left out. */
    static List<String> lines(ImportResult r) {
        return r.ops().stream().filter(o -> !(o instanceof Op.Touch)).map(Op::traceLine).toList();
    }

    /** Every trace line. */
    static List<String> all(ImportResult r) {
        return r.ops().stream().map(Op::traceLine).toList();
    }

    /** The warnings of one kind. */
    static List<ImportWarning> warnings(ImportResult r, ImportWarning.Kind kind) {
        return r.warnings().stream().filter(w -> w.kind() == kind).toList();
    }
}
