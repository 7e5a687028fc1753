package io.pvmm.cli;

import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * An output file that appears whole or not at all: written to a temporary file in the same directory,
 * moved into place by {@link #commit()}, deleted by {@link #close()} if not committed. Opening it
 * checks the directory is writable, so a bad path fails before any work is done
 * ({@link PvmmError#OUTPUT_NOT_WRITABLE}).
 */
final class AtomicOutput implements AutoCloseable {

    private final Path target;
    private final Path temp;
    private final String source;
    private final BufferedWriter writer;
    private boolean committed;

    private AtomicOutput(Path target, Path temp, String source, BufferedWriter writer) {
        this.target = target;
        this.temp = temp;
        this.source = source;
        this.writer = writer;
    }

    /**
     * Opens a file for writing.
     *
     * @param target the file, absolute
     * @param source where its path came from, e.g. {@code --html option}
     * @return the open output
     * @throws PvmmException {@link PvmmError#OUTPUT_NOT_WRITABLE} if the directory is missing or not writable,
     *                       or the target is a directory
     */
    static AtomicOutput open(Path target, String source) {
        Path file = target.toAbsolutePath().normalize();
        try {
            if (Files.isDirectory(file)) {
                throw new IOException("it is a directory");
            }
            Path dir = file.getParent();
            Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            temp.toFile().deleteOnExit(); // gone even when the run is interrupted
            return new AtomicOutput(file, temp, source, Files.newBufferedWriter(temp, StandardCharsets.UTF_8));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw notWritable(file, source, e);
        }
    }

    /**
     * Checks, before any work is done, that a file can be written where it is asked for: its directory
     * exists and is writable, it is not a directory, and it is none of the inputs it would overwrite.
     *
     * @param target the file
     * @param source where its path came from, e.g. {@code -o option}
     * @param inputs files the command reads, which the output must not replace
     * @throws PvmmException {@link PvmmError#OUTPUT_NOT_WRITABLE} naming what is wrong
     */
    static void checkTarget(Path target, String source, Path... inputs) {
        Path file = target.toAbsolutePath().normalize();
        Path dir = file.getParent();
        String problem = null;
        if (Files.isDirectory(file)) {
            problem = "it is a directory";
        } else if (dir == null || !Files.isDirectory(dir)) {
            problem = "directory " + dir + " does not exist";
        } else if (!Files.isWritable(dir)) {
            problem = "directory " + dir + " is not writable";
        } else {
            for (Path input : inputs) {
                if (sameFile(file, input)) {
                    problem = "it is the input " + input + ", which writing would replace";
                }
            }
        }
        if (problem != null) {
            throw new PvmmException(PvmmError.OUTPUT_NOT_WRITABLE, source, Map.of("path", file.toString(), "cause", problem));
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    static PvmmException notWritable(Path file, String source, Exception e) {
        return new PvmmException(PvmmError.OUTPUT_NOT_WRITABLE, source, Map.of("path", file.toString(), "cause", e.toString()), e);
    }

    /** @return the writer of the temporary file */
    Writer writer() {
        return writer;
    }

    /** @return the final path */
    Path target() {
        return target;
    }

    /**
     * Writes a line.
     *
     * @param line the line, without its line break
     */
    void line(String line) {
        try {
            writer.write(line);
            writer.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Finishes the file and moves it into place.
     *
     * @throws PvmmException {@link PvmmError#OUTPUT_NOT_WRITABLE} if the file cannot be finished
     */
    void commit() {
        try {
            writer.close();
            if (temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--")); // as a new file, not a secret
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            committed = true;
        } catch (IOException e) {
            throw notWritable(target, source, e);
        }
    }

    /** Deletes the temporary file unless the output was committed. */
    @Override
    public void close() {
        if (committed) {
            return;
        }
        try {
            writer.close();
        } catch (IOException e) {
            // the file is deleted anyway
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // nothing more can be done; the temporary file's name starts with a dot
        }
    }
}
