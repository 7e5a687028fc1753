package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pvmm.guest.workload.TraceWorkload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("pvmm record")
class RecordCommandTest {

    private static final Path STRACE = Path.of("/usr/bin/strace");

    @TempDir
    Path dir;

    private CliRunner cli() {
        return new CliRunner(dir).environment(Map.of("PATH", "/usr/bin:/bin"));
    }

    @Test
    @DisplayName("without strace on the PATH it fails with PVMM-E053 saying how to install it")
    void straceMissing() throws Exception {
        CliRunner.Result r = new CliRunner(dir).environment(Map.of("PATH", dir.toString())).run("record", "--", "true");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("PVMM-E053 strace not found").contains("apt-get install strace", dir.toString());
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    @DisplayName("--strace naming no executable fails with PVMM-E053")
    void straceOptionWrong() {
        CliRunner.Result r = cli().run("record", "--strace", dir.resolve("strace").toString(), "--", "true");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("PVMM-E053").contains("--strace", "is not an executable file");
    }

    @Test
    @DisplayName("records a command, imports it, and reports the command's exit status")
    void records() throws Exception {
        assumeTrue(Files.isExecutable(STRACE), "strace is installed");

        CliRunner.Result r = cli().run("record", "-o", "sh.trace", "--keep-log", "sh.strace", "--",
                "/bin/sh", "-c", "echo hello; /bin/true & wait; exit 3");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("hello", "command exited with status 3", "imported ", "wrote " + dir.resolve("sh.trace"));
        TraceWorkload trace = TraceWorkload.read(dir.resolve("sh.trace"));
        assertThat(trace.census()).containsEntry("spawn", 1).containsKey("fork").containsKey("mmap");
        assertThat(trace.census().get("exec")).isGreaterThanOrEqualTo(2);
        assertThat(dir.resolve("sh.strace")).isNotEmptyFile();
    }

    @Test
    @DisplayName("the trace is named after the command by default")
    void defaultName() {
        assumeTrue(Files.isExecutable(STRACE), "strace is installed");

        CliRunner.Result r = cli().run("record", "--", "/bin/true");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("command exited with status 0");
        assertThat(dir.resolve("true.trace")).isNotEmptyFile();
    }

    @Test
    @DisplayName("a command strace cannot run fails with PVMM-E054, quoting strace")
    void commandMissing() {
        assumeTrue(Files.isExecutable(STRACE), "strace is installed");

        CliRunner.Result r = cli().run("record", "-o", "x.trace", "--", "no-such-command-here");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("PVMM-E054 strace did not record 'no-such-command-here'", "no-such-command-here");
        assertThat(dir.resolve("x.trace")).doesNotExist();
    }

    @Test
    @DisplayName("an output or log path in a missing directory is PVMM-E014 before the command runs")
    void unwritableOutputsFailFirst() {
        CliRunner.Result trace = cli().run("record", "-o", "missing/x.trace", "--", "/bin/sh", "-c", "touch ran");
        assertThat(trace.exitCode()).isEqualTo(2);
        assertThat(trace.err()).startsWith("PVMM-E014").contains("-o option", "does not exist");

        CliRunner.Result log = cli().run("record", "--keep-log", "missing/x.strace", "--", "/bin/sh", "-c", "touch ran");
        assertThat(log.exitCode()).isEqualTo(2);
        assertThat(log.err()).startsWith("PVMM-E014").contains("--keep-log option");

        assertThat(dir.resolve("ran")).doesNotExist();
    }
}
