package io.pvmm.trace.strace;

import io.pvmm.guest.workload.Op;
import io.pvmm.guest.workload.TraceWorkload;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** Writes a trace file whole or not at all: to a temporary file beside it, then moved into place. */
public final class TraceFiles {

    private TraceFiles() {
    }

    /**
     * Writes operations as a trace file, with comment lines first.
     *
     * @param ops      the operations
     * @param comments lines written as {@code # ...} after the header (where the trace came from)
     * @param target   the trace file
     * @throws IOException if it cannot be written; the target is then untouched
     */
    public static void write(List<Op> ops, List<String> comments, Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        // beside the target, so the move stays on one file system; created as any new file is (umask), unlike createTempFile
        if (Files.isDirectory(absolute)) {
            throw new IOException(absolute + " is a directory");
        }
        Path tmp = dir.resolve("." + absolute.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        tmp.toFile().deleteOnExit(); // gone even when the import is interrupted
        try {
            try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                write(ops, comments, out);
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes operations as a trace, with comment lines first, to a writer the caller finishes.
     *
     * @param ops      the operations
     * @param comments lines written as {@code # ...} after the header
     * @param out      where to write
     * @throws IOException if writing fails
     */
    public static void write(List<Op> ops, List<String> comments, Writer out) throws IOException {
        StringBuilder header = new StringBuilder();
        for (String c : comments) {
            header.append("# ").append(c).append('\n');
        }
        TraceWorkload.write(List.of(), out);
        out.write(header.toString());
        for (Op op : ops) {
            out.write(op.traceLine());
            out.write('\n');
        }
    }
}
