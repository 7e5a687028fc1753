package io.pvmm.cli;

import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * An output file that never destroys what stands at its path, and appears whole or not at all.
 *
 * <p>What the path names decides how it is written (docs/cli.md, "Output files"):
 * <ul>
 *   <li>nothing, or a regular file: written to a temporary file in the same directory and moved over the
 *       path by {@link #commit()}, keeping an existing file's permissions; a failed write leaves the old
 *       file as it was;</li>
 *   <li>a symbolic link: written through, as {@code cp} does: the link stays and the file it points to is
 *       replaced as above; a link to nothing is refused;</li>
 *   <li>a device, a FIFO or a socket ({@code /dev/null}, {@code /dev/stdout}): written to directly, as
 *       {@code cp} does, never replaced;</li>
 *   <li>a directory, a file in a missing or unwritable directory, a read-only file, or a file the command
 *       reads: refused with {@link PvmmError#OUTPUT_NOT_WRITABLE} before any work is done.</li>
 * </ul>
 * A failed write (a full disk) is kept, not thrown, so a run that records into the file is not
 * interrupted in a backend call; {@link #commit()} then reports it with {@link PvmmError#OUTPUT_NOT_WRITABLE}
 * and the temporary file is deleted. Not thread-safe.
 */
final class AtomicOutput implements AutoCloseable {

    /** Where the bytes go, decided before anything is written. */
    private record Destination(Path named, Path file, boolean direct) {
    }

    private final Destination destination;
    private final Path temp;
    private final String source;
    private final OutputStream stream;
    private final Writer encoder;
    private final Writer writer = new FailureKeepingWriter();
    private IOException failure;
    private boolean committed;

    private AtomicOutput(Destination destination, Path temp, String source, OutputStream stream) {
        this.destination = destination;
        this.temp = temp;
        this.source = source;
        this.stream = stream;
        this.encoder = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
    }

    /**
     * Opens a file for writing.
     *
     * @param target the file
     * @param source where its path came from, e.g. {@code --html option}
     * @param inputs files the command reads, which the output must not replace
     * @return the open output
     * @throws PvmmException {@link PvmmError#OUTPUT_NOT_WRITABLE} if the path cannot be written as the class says
     */
    static AtomicOutput open(Path target, String source, Path... inputs) {
        Destination d = destination(target, source, inputs);
        Path temp = null;
        try {
            if (d.direct()) {
                return new AtomicOutput(d, null, source, new BufferedOutputStream(Files.newOutputStream(d.file(),
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)));
            }
            temp = Files.createTempFile(d.file().getParent(), "." + d.file().getFileName(), ".tmp");
            temp.toFile().deleteOnExit(); // gone even when the run is interrupted
            return new AtomicOutput(d, temp, source, new BufferedOutputStream(Files.newOutputStream(temp)));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            deleteQuietly(temp);
            throw failed(d, source, e);
        }
    }

    /**
     * Checks, before any work is done, that a file can be written where it is asked for, as
     * {@link #open} would write it.
     *
     * @param target the file
     * @param source where its path came from, e.g. {@code -o option}
     * @param inputs files the command reads, which the output must not replace
     * @throws PvmmException {@link PvmmError#OUTPUT_NOT_WRITABLE} naming what is wrong
     */
    static void checkTarget(Path target, String source, Path... inputs) {
        destination(target, source, inputs);
    }

    private static Destination destination(Path target, String source, Path... inputs) {
        Path named = target.toAbsolutePath().normalize();
        Path file = named;
        String problem = null;
        try {
            if (Files.isSymbolicLink(named)) {
                if (!Files.exists(named)) {
                    problem = "it is a symbolic link to " + Files.readSymbolicLink(named)
                            + ", which does not exist; pvmm writes through a link only to an existing file";
                } else if (Files.isRegularFile(named)) {
                    file = named.toRealPath(); // replaced beside itself, the link kept
                } // a link to a device (/dev/stdout) is written through as it stands
            }
        } catch (IOException e) {
            problem = "it is a symbolic link that cannot be followed: " + reason(e);
        }
        Path dir = file.getParent();
        boolean exists = Files.exists(file, LinkOption.NOFOLLOW_LINKS);
        boolean special = exists && !Files.isRegularFile(file) && !Files.isDirectory(file);
        if (problem != null) {
            // said above
        } else if (Files.isDirectory(file)) {
            problem = "it is a directory; name a file";
        } else if (!special && (dir == null || !Files.isDirectory(dir))) {
            problem = "directory " + dir + " does not exist";
        } else if (!special && !Files.isWritable(dir)) {
            problem = "directory " + dir + " is not writable";
        } else if (exists && !Files.isWritable(file)) {
            problem = "it is not writable";
        } else {
            for (Path input : inputs) {
                if (input != null && sameFile(file, input)) {
                    problem = "it is the input " + input + ", which writing would replace";
                }
            }
        }
        if (problem != null) {
            throw new PvmmException(PvmmError.OUTPUT_NOT_WRITABLE, source, Map.of("path", named.toString(), "cause", problem));
        }
        return new Destination(named, file, special);
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The error for an output that could not be written.
     *
     * @param file   the path as named
     * @param source where it came from
     * @param e      what failed
     * @return the exception to throw
     */
    static PvmmException notWritable(Path file, String source, Exception e) {
        return new PvmmException(PvmmError.OUTPUT_NOT_WRITABLE, source, Map.of("path", file.toString(), "cause", reason(e)), e);
    }

    private static PvmmException failed(Destination d, String source, Exception e) {
        String where = d.direct() ? "" : " (writing in directory " + d.file().getParent() + ")";
        String through = d.file().equals(d.named()) ? "" : " (the link's target " + d.file() + ")";
        return new PvmmException(PvmmError.OUTPUT_NOT_WRITABLE, source,
                Map.of("path", d.named().toString(), "cause", reason(e) + where + through), e);
    }

    /** The failure in words, without the temporary file's name. */
    private static String reason(Exception e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** @return a writer into the file; a failed write is kept for {@link #commit()}, never thrown */
    Writer writer() {
        return writer;
    }

    /** @return the path as named */
    Path target() {
        return destination.named();
    }

    /**
     * Writes a line; after a failed write, does nothing.
     *
     * @param line the line, without its line break
     */
    void line(String line) {
        try {
            writer.write(line);
            writer.write('\n');
        } catch (IOException e) {
            throw new IllegalStateException("the writer keeps its failures", e); // never: FailureKeepingWriter does not throw
        }
    }

    /**
     * Copies a file's bytes into the output.
     *
     * @param from the file
     */
    void copy(Path from) {
        if (failure != null) {
            return;
        }
        try {
            encoder.flush();
            Files.copy(from, stream);
        } catch (IOException e) {
            failure = e;
        }
    }

    /**
     * Finishes the file and moves it into place (or, for a device, flushes it).
     *
     * @throws PvmmException {@link PvmmError#OUTPUT_NOT_WRITABLE} if a write failed or the file cannot be finished;
     *                       the path is then as it was
     */
    void commit() {
        try {
            if (failure != null) {
                throw failure;
            }
            encoder.close();
            if (temp != null) {
                Set<PosixFilePermission> mode = PosixFilePermissions.fromString("rw-r--r--"); // as a new file, not a secret
                if (temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    if (Files.exists(destination.file())) {
                        mode = Files.getPosixFilePermissions(destination.file()); // as cp keeps a replaced file's mode
                    }
                    Files.setPosixFilePermissions(temp, mode);
                }
                try {
                    Files.move(temp, destination.file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, destination.file(), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            committed = true;
        } catch (IOException e) {
            close();
            throw failed(destination, source, e);
        }
    }

    /** Deletes the temporary file unless the output was committed. */
    @Override
    public void close() {
        if (committed) {
            return;
        }
        try {
            encoder.close();
        } catch (IOException e) {
            // the file is deleted anyway
        }
        deleteQuietly(temp);
    }

    private static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // nothing more can be done; the temporary file's name starts with a dot
        }
    }

    /** Writes into the file until the first failure, which it keeps. */
    private final class FailureKeepingWriter extends Writer {
        @Override
        public void write(char[] cbuf, int off, int len) {
            if (failure != null) {
                return;
            }
            try {
                encoder.write(cbuf, off, len);
            } catch (IOException e) {
                failure = e;
            }
        }

        @Override
        public void write(String str, int off, int len) {
            if (failure != null) {
                return;
            }
            try {
                encoder.write(str, off, len);
            } catch (IOException e) {
                failure = e;
            }
        }

        @Override
        public void flush() {
            // commit() flushes
        }

        @Override
        public void close() {
            // commit() closes
        }
    }
}
