package io.pvmm.trace.strace;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a command under {@code strace -f -e trace=%process,%memory -o LOG}, with the command's standard
 * input inherited and its output (and strace's) kept for the caller to show.
 */
public final class StraceRecorder {

    /** The options strace is run with, before {@code -o LOG} and the command. */
    public static final List<String> STRACE_OPTIONS = List.of("-f", "-e", "trace=%process,%memory");

    /**
     * What a recording left.
     *
     * @param exitStatus the command's exit status, as strace passes it on (128 + N when a signal N killed it)
     * @param log        the strace log (empty or missing when strace could not trace the command)
     * @param stdout     what the command wrote to its standard output
     * @param stderr     what the command and strace wrote to standard error
     */
    public record Recording(int exitStatus, Path log, String stdout, String stderr) {

        /** @return whether strace wrote a log with something in it */
        public boolean hasLog() {
            try {
                return Files.isRegularFile(log) && Files.size(log) > 0;
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** strace could not be found or started. */
    public static final class StraceNotFoundException extends Exception {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the error.
         *
         * @param detail where strace was looked for, or why it did not start
         */
        public StraceNotFoundException(String detail) {
            super(detail);
        }
    }

    private StraceRecorder() {
    }

    /**
     * Finds strace: the path given, else {@code strace} in a directory of {@code PATH}.
     *
     * @param given       a path to strace, or null
     * @param environment the environment whose {@code PATH} is searched
     * @return strace's path
     * @throws StraceNotFoundException if there is none
     */
    public static Path locate(String given, Map<String, String> environment) throws StraceNotFoundException {
        if (given != null) {
            Path p = Path.of(given);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p;
            }
            throw new StraceNotFoundException("--strace " + given + " is not an executable file");
        }
        String path = environment.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, "strace");
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        throw new StraceNotFoundException("no strace on PATH (" + path + ")");
    }

    /**
     * Records a command.
     *
     * @param strace    strace's path
     * @param command   the command and its arguments
     * @param directory where the command runs
     * @param log       where strace writes its log
     * @return the exit status, the log and the output
     * @throws StraceNotFoundException if strace cannot be started
     * @throws IOException             if the output cannot be kept
     * @throws InterruptedException    if interrupted while the command runs
     */
    public static Recording record(Path strace, List<String> command, Path directory, Path log)
            throws StraceNotFoundException, IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        argv.add(strace.toString());
        argv.addAll(STRACE_OPTIONS);
        argv.add("-o");
        argv.add(log.toString());
        argv.addAll(command);
        Path out = Files.createTempFile("pvmm-record", ".out");
        Path err = Files.createTempFile("pvmm-record", ".err");
        out.toFile().deleteOnExit();
        err.toFile().deleteOnExit();
        try {
            Process p;
            try {
                p = new ProcessBuilder(argv).directory(directory.toFile()).redirectInput(ProcessBuilder.Redirect.INHERIT)
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            } catch (IOException e) {
                throw new StraceNotFoundException(strace + " could not be started: " + e.getMessage());
            }
            int status = p.waitFor();
            return new Recording(status, log, new String(Files.readAllBytes(out), StandardCharsets.UTF_8),
                    new String(Files.readAllBytes(err), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
