package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.guest.workload.TraceWorkload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("pvmm import-strace")
class ImportStraceCommandTest {

    private static final String LOG = """
            100 execve("/usr/bin/prog", ["prog"], 0x7ffe0 /* 3 vars */) = 0
            100 brk(NULL)                         = 0x555555559000
            100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
            100 clone(child_stack=NULL, flags=SIGCHLD) = 101
            101 frobnicate(1)                     = 0
            101 +++ exited with 0 +++
            100 exit_group(0)                     = ?
            100 +++ exited with 0 +++
            """;

    @TempDir
    Path dir;

    private CliRunner cli() {
        return new CliRunner(dir);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("writes the trace beside the log, prints the counts, and lists warnings with their lines")
    void imports() throws Exception {
        write("prog.strace", LOG);

        CliRunner.Result r = cli().run("import-strace", "prog.strace");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("imported 8 lines: 2 processes, 0 threads, 1 execs, 1 mappings", "wrote " + dir.resolve("prog.trace"));
        assertThat(r.err()).contains("1 warning(s)", "line 5: unknown syscall: frobnicate (1 call(s))");
        TraceWorkload trace = TraceWorkload.read(dir.resolve("prog.trace"));
        assertThat(trace.census()).containsEntry("spawn", 1).containsEntry("fork", 1).containsEntry("mmap", 1).containsEntry("exit", 2);
    }

    @Test
    @DisplayName("-o names the trace; the touch knobs change what is touched")
    void outputAndKnobs() throws Exception {
        write("prog.log", LOG);

        CliRunner.Result r = cli().run("import-strace", "prog.log", "-o", "out.trace", "--touch-write-pages", "0",
                "--touch-read-pages", "0", "--touch-stack-pages", "1");

        assertThat(r.exitCode()).isZero();
        assertThat(TraceWorkload.read(dir.resolve("out.trace")).census()).doesNotContainKey("touch");
        assertThat(dir.resolve("prog.trace")).doesNotExist();
    }

    @Test
    @DisplayName("a log that is not one fails with PVMM-E050, its line, what is accepted, and writes nothing")
    void malformed() throws Exception {
        write("notes.txt", "hello\nworld\n");

        CliRunner.Result r = cli().run("import-strace", "notes.txt", "-o", "notes.trace");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E050 strace log").contains("line 1", "Accepted:", "strace -f", "Nothing was written",
                "docs/errors.md#pvmm-e050");
        assertThat(dir.resolve("notes.trace")).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("notes.txt");
        }
    }

    @Test
    @DisplayName("--oversize refuse fails with PVMM-E052 at the mapping's line and writes nothing")
    void oversizeRefused() throws Exception {
        write("big.strace", LOG.replace("mmap(NULL, 8192,", "mmap(NULL, 4294967296,"));

        CliRunner.Result r = cli().run("import-strace", "big.strace", "--oversize", "refuse");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E052").contains("line 3", "does not fit", "--oversize clip");
        assertThat(dir.resolve("big.trace")).doesNotExist();
    }

    @Test
    @DisplayName("--oversize clip (the default) keeps what fits and warns")
    void oversizeClipped() throws Exception {
        write("big.strace", LOG.replace("mmap(NULL, 8192,", "mmap(NULL, 4294967296,"));

        CliRunner.Result r = cli().run("import-strace", "big.strace");

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).contains("line 3: clipped: mmap of 0x100000000 bytes");
        assertThat(dir.resolve("big.trace")).exists();
    }

    @Test
    @DisplayName("a missing log fails with PVMM-E051")
    void missing() {
        CliRunner.Result r = cli().run("import-strace", "nope.strace");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E051 strace log").contains("nope.strace", "NoSuchFileException");
    }

    @Test
    @DisplayName("a bad --oversize value is a usage error")
    void badOversize() throws Exception {
        write("prog.strace", LOG);

        CliRunner.Result r = cli().run("import-strace", "prog.strace", "--oversize", "squash");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--oversize must be clip or refuse");
    }

    @Test
    @DisplayName("the default output replaces the extension, and never overwrites the log itself")
    void defaultOutput() {
        assertThat(ImportStraceCommand.defaultOutput(Path.of("a/make.strace"))).isEqualTo(Path.of("a/make.trace"));
        assertThat(ImportStraceCommand.defaultOutput(Path.of("make"))).isEqualTo(Path.of("make.trace"));
        assertThat(ImportStraceCommand.defaultOutput(Path.of("x.trace"))).isEqualTo(Path.of("x.trace.trace"));
    }

    @Test
    @DisplayName("-o naming the log itself is PVMM-E014 before anything is read, and the log is left as it was")
    void outputIsTheInput() throws Exception {
        Path log = write("prog.strace", LOG);

        CliRunner.Result r = cli().run("import-strace", "prog.strace", "-o", "prog.strace");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E014").contains("-o option", "it is the input");
        assertThat(Files.readString(log)).isEqualTo(LOG);
    }

    @Test
    @DisplayName("-o naming a directory is PVMM-E014 naming the directory, not a temporary file")
    void outputIsADirectory() throws Exception {
        write("prog.strace", LOG);
        Files.createDirectory(dir.resolve("traces"));

        CliRunner.Result r = cli().run("import-strace", "prog.strace", "-o", "traces");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E014").contains(dir.resolve("traces").toString(), "it is a directory").doesNotContain(".tmp");
        try (var files = Files.list(dir.resolve("traces"))) {
            assertThat(files).isEmpty();
        }
    }
}
