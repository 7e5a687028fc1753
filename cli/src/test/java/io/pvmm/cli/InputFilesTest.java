package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pvmm.runtime.guest.GuestRuntime;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input files that are not what they should be: endless, huge, binary, not UTF-8, or naming what the guest never had. */
@DisplayName("input files")
class InputFilesTest {

    private static final Path DEV_ZERO = Path.of("/dev/zero");

    @TempDir
    Path dir;

    private CliRunner.Result run(String... args) {
        return new CliRunner(dir).runtime(GuestRuntime::discover).run(args);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertBoundedLine(CliRunner.Result r, String code) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith(code).contains("line 1", "a line longer than 65536 characters")
                .doesNotContain("OutOfMemoryError", "\tat ");
    }

    @Test
    @DisplayName("replay /dev/zero is PVMM-E012 at line 1: a line longer than the bound")
    void replayDevZero() {
        assumeTrue(Files.exists(DEV_ZERO), "no /dev/zero on this system");
        assertBoundedLine(run("replay", DEV_ZERO.toString()), "PVMM-E012");
    }

    @Test
    @DisplayName("import-strace /dev/zero is PVMM-E050 at line 1, and no trace is written")
    void importDevZero() throws IOException {
        assumeTrue(Files.exists(DEV_ZERO), "no /dev/zero on this system");
        assertBoundedLine(run("import-strace", DEV_ZERO.toString(), "-o", "zero.trace"), "PVMM-E050");
        assertThat(files()).isEmpty();
    }

    @Test
    @DisplayName("replay-hooks /dev/zero is PVMM-E030 at line 1")
    void replayHooksDevZero() {
        assumeTrue(Files.exists(DEV_ZERO), "no /dev/zero on this system");
        assertBoundedLine(run("replay-hooks", DEV_ZERO.toString(), "--backend", "native"), "PVMM-E030");
    }

    @Test
    @DisplayName("--config /dev/zero is PVMM-E010: longer than a configuration file may be")
    void configDevZero() {
        assumeTrue(Files.exists(DEV_ZERO), "no /dev/zero on this system");

        CliRunner.Result r = run("run", "--config", DEV_ZERO.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E010 configuration file /dev/zero cannot be used").contains("longer than 1 MiB")
                .doesNotContain("OutOfMemoryError");
    }

    @Test
    @DisplayName("a 3 GiB sparse file as a trace is PVMM-E012 at line 1, read no further than the bound")
    void sparseTrace() throws IOException {
        Path sparse = dir.resolve("sparse.trace");
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(3L << 30);
        }
        assertBoundedLine(run("replay", "sparse.trace"), "PVMM-E012");
        assertThat(Files.size(sparse)).isEqualTo(3L << 30);
    }

    @Test
    @DisplayName("a trace with bytes that are not UTF-8 is PVMM-E012 naming the line and the accepted form")
    void traceNotUtf8() throws IOException {
        Files.write(dir.resolve("latin1.trace"), "pvmm-trace 1\nspawn 1\n# caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));

        CliRunner.Result r = run("replay", "latin1.trace");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E012").contains("at line 3", "Expected: UTF-8 text", "Found: bytes that are not UTF-8 text")
                .doesNotContain("MalformedInputException");
    }

    @Test
    @DisplayName("an strace log with bytes that are not UTF-8 is PVMM-E050 naming the line")
    void straceNotUtf8() throws IOException {
        Files.write(dir.resolve("bad.strace"), new byte[] {'1', '0', '0', ' ', 'b', 'r', 'k', '(', (byte) 0xff, ')', '\n'});

        CliRunner.Result r = run("import-strace", "bad.strace");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E050").contains("line 1: bytes that are not UTF-8 text", "Accepted: UTF-8 text")
                .doesNotContain("MalformedInputException");
        assertThat(files()).containsExactly("bad.strace");
    }

    @Test
    @DisplayName("a hook recording with bytes that are not UTF-8 is PVMM-E030 naming the line")
    void hooksNotUtf8() throws IOException {
        Files.write(dir.resolve("bad.hooks"), new byte[] {'p', 'v', 'm', 'm', '-', 'h', 'o', 'o', 'k', 's', ' ', '1', '\n', (byte) 0xfe, '\n'});

        CliRunner.Result r = run("replay-hooks", "bad.hooks", "--backend", "native");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E030").contains("at line 2", "Found: bytes that are not UTF-8 text");
    }

    @Test
    @DisplayName("replay-hooks with a frame beyond the recorded memory is PVMM-E030 (exit 2), not a backend failure")
    void replayHooksBeyondMemory() throws IOException {
        CliRunner.Result recorded = run("run", "--workload", "fork-exit", "--set", "workload.processes=4", "--record-hooks", "f.hooks");
        assertThat(recorded.exitCode()).as(recorded.err()).isZero();
        List<String> lines = Files.readAllLines(dir.resolve("f.hooks"));
        int at = lines.indexOf(lines.stream().filter(l -> l.matches("0 allocPt 0x[0-9a-f]+")).findFirst().orElseThrow());
        lines.set(at, "0 allocPt 0x7fffff");
        Files.write(dir.resolve("bad.hooks"), lines);

        CliRunner.Result r = run("replay-hooks", "bad.hooks", "--backend", "xen");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E030").contains("at line " + (at + 1), "frame numbers below 0x10000", "memory-mib 256",
                "Found: 0 allocPt 0x7fffff").doesNotContain("E017");
    }

    @Test
    @DisplayName("replay-hooks with a physical address beyond the recorded memory is PVMM-E030")
    void replayHooksAddressBeyondMemory() throws IOException {
        run("run", "--workload", "fork-exit", "--set", "workload.processes=4", "--record-hooks", "f.hooks");
        List<String> lines = Files.readAllLines(dir.resolve("f.hooks"));
        int at = lines.indexOf(lines.stream().filter(l -> l.matches("0 setPmd 0x[0-9a-f]+ 0x[0-9a-f]+")).findFirst().orElseThrow());
        lines.set(at, lines.get(at).replaceFirst("setPmd 0x[0-9a-f]+", "setPmd 0x40000000"));
        Files.write(dir.resolve("bad.hooks"), lines);

        CliRunner.Result r = run("replay-hooks", "bad.hooks", "--backend", "native");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E030").contains("at line " + (at + 1), "physical addresses below 0x10000000");
    }
}
