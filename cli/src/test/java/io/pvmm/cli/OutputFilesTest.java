package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pvmm.runtime.guest.GuestRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every output file of the command line: what stands at its path is never destroyed, and a failed write is PVMM-E014. */
@DisplayName("output files")
class OutputFilesTest {

    private static final Path DEV_FULL = Path.of("/dev/full");
    private static final Path DEV_NULL = Path.of("/dev/null");
    private static final String[] SMALL = {"--set", "workload.processes=4", "--set", "workload.iterations=2"};
    private static final String LOG = """
            100 execve("/usr/bin/prog", ["prog"], 0x7ffe0 /* 3 vars */) = 0
            100 brk(NULL)                         = 0x555555559000
            100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
            100 exit_group(0)                     = ?
            100 +++ exited with 0 +++
            """;

    @TempDir
    Path dir;

    private CliRunner.Result run(String... args) {
        return new CliRunner(dir).runtime(GuestRuntime::discover).run(args);
    }

    private CliRunner.Result compare(String... args) {
        return new CliRunner(dir).run(Stream.concat(Stream.of("compare", "--backends", "native", "--workload", "fork-exit"),
                Stream.concat(Stream.of(SMALL), Stream.of(args))).toArray(String[]::new));
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    @DisplayName("--record-hooks /dev/full is PVMM-E014 'No space left on device', and /dev/full stays a device")
    void recordHooksIntoDevFull() {
        assumeTrue(Files.exists(DEV_FULL), "no /dev/full on this system");

        CliRunner.Result r = run("run", "--workload", "fork-exit", "--set", "workload.processes=4", "--record-hooks", DEV_FULL.toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E014 output path /dev/full is not writable (from --record-hooks option).")
                .contains("No space left on device").doesNotContain("\tat ", "Exception");
        assertThat(r.out()).doesNotContain("hook calls recorded");
        assertThat(Files.isRegularFile(DEV_FULL)).isFalse();
        assertThat(Files.exists(DEV_FULL)).isTrue();
    }

    @Test
    @DisplayName("--record-hooks /dev/null writes into the device and leaves it a device")
    void recordHooksIntoDevNull() {
        assumeTrue(Files.exists(DEV_NULL), "no /dev/null on this system");

        CliRunner.Result r = run("run", "--workload", "fork-exit", "--set", "workload.processes=4", "--record-hooks", DEV_NULL.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.isRegularFile(DEV_NULL)).isFalse();
        assertThat(Files.exists(DEV_NULL)).isTrue();
    }

    @Test
    @DisplayName("--html LINK keeps the link and replaces the file it points to, keeping that file's permissions")
    void htmlThroughASymlink() throws IOException {
        Path real = Files.writeString(dir.resolve("real.html"), "old report");
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-rw----"));
        Path link = Files.createSymbolicLink(dir.resolve("link.html"), Path.of("real.html"));

        CliRunner.Result r = compare("--html", "link.html");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("real.html"));
        assertThat(Files.readString(real)).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(real))).isEqualTo("rw-rw----");
        assertThat(files()).containsExactly("link.html", "real.html");
    }

    @Test
    @DisplayName("import-strace -o LINK keeps the link and writes the trace into the file it points to")
    void importThroughASymlink() throws IOException {
        Files.writeString(dir.resolve("prog.strace"), LOG);
        Path real = Files.writeString(dir.resolve("old.trace"), "pvmm-trace 1\n");
        Path link = Files.createSymbolicLink(dir.resolve("out.trace"), Path.of("old.trace"));

        CliRunner.Result r = run("import-strace", "prog.strace", "-o", "out.trace");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).startsWith("pvmm-trace 1\n# imported from prog.strace").contains("\nspawn 100\n");
    }

    @Test
    @DisplayName("a link to the input is refused as the input itself is: PVMM-E014, and the log is left as it was")
    void linkToTheInput() throws IOException {
        Path log = Files.writeString(dir.resolve("prog.strace"), LOG);
        Files.createSymbolicLink(dir.resolve("out.trace"), Path.of("prog.strace"));

        CliRunner.Result r = run("import-strace", "prog.strace", "-o", "out.trace");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E014").contains("it is the input");
        assertThat(Files.readString(log)).isEqualTo(LOG);
    }

    @Test
    @DisplayName("a link to nothing is PVMM-E014 before the run, and nothing is created")
    void danglingSymlink() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("link.html"), Path.of("nowhere.html"));

        CliRunner.Result r = compare("--html", "link.html");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E014 output path " + link + " is not writable (from --html option).")
                .contains("symbolic link to nowhere.html, which does not exist");
        assertThat(r.out()).isEmpty();
        assertThat(files()).containsExactly("link.html");
    }

    @Test
    @DisplayName("a directory as the output is PVMM-E014 and the directory is left as it was")
    void directory() throws IOException {
        Files.createDirectory(dir.resolve("reports"));
        Files.writeString(dir.resolve("reports/keep.txt"), "keep");

        CliRunner.Result r = run("run", "--workload", "fork-exit", "--record-hooks", "reports");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E014").contains("it is a directory");
        try (Stream<Path> s = Files.list(dir.resolve("reports"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("keep.txt");
        }
    }

    @Test
    @DisplayName("a missing directory is PVMM-E014 naming the directory, not a temporary file")
    void missingDirectory() {
        CliRunner.Result r = compare("--html", "nodir/report.html");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Cause: directory " + dir.resolve("nodir") + " does not exist").doesNotContain(".tmp");
    }

    @Test
    @DisplayName("replay X --record-hooks X is PVMM-E014 before the run, and the trace is left as it was")
    void replayRecordingOverItsOwnTrace() throws IOException {
        String text = "pvmm-trace 1\nspawn 1\nexec 1\nexit 1\n";
        Path trace = Files.writeString(dir.resolve("self.trace"), text);

        CliRunner.Result r = run("replay", "self.trace", "--record-hooks", "self.trace");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E014").contains("it is the input " + trace);
        assertThat(Files.readString(trace)).isEqualTo(text);
        assertThat(files()).containsExactly("self.trace");
    }

    @Test
    @DisplayName("compare --html into a device that is full is PVMM-E014 with no stack trace, after the table is printed")
    void htmlIntoAFullDevice() throws IOException {
        assumeTrue(Files.exists(DEV_FULL), "no /dev/full on this system");
        Files.createSymbolicLink(dir.resolve("report.html"), DEV_FULL);

        CliRunner.Result r = compare("--html", "report.html");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E014").contains("No space left on device").doesNotContain("internal error", "\tat ");
        assertThat(Files.isSymbolicLink(dir.resolve("report.html"))).isTrue();
        assertThat(Files.isRegularFile(DEV_FULL)).isFalse();
    }

    @Test
    @DisplayName("compare --html on a full file system is PVMM-E014, the old report intact and no temporary file left")
    void htmlOnAFullFileSystem() throws Exception {
        Path mount = dir.resolve("small");
        Files.createDirectory(mount);
        try {
            assumeTrue(mountSmallTmpfs(mount), "cannot mount a 16 KiB tmpfs here (needs root and mount); the device test covers the write");
            Path old = Files.writeString(mount.resolve("report.html"), "old report");
            Files.write(mount.resolve("filler"), new byte[12 * 1024]);

            CliRunner.Result r = compare("--html", "small/report.html");

            assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).startsWith("PVMM-E014 output path " + old + " is not writable")
                    .contains("No space left on device").doesNotContain("internal error", "\tat ", ".tmp");
            assertThat(Files.readString(old)).isEqualTo("old report");
            try (Stream<Path> s = Files.list(mount)) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("report.html", "filler");
            }
        } finally {
            new ProcessBuilder("umount", mount.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(30, TimeUnit.SECONDS); // fails harmlessly when nothing was mounted
        }
    }

    private static boolean mountSmallTmpfs(Path mount) {
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", mount.toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0
                    && Files.getFileStore(mount).type().equals("tmpfs") && Files.getFileStore(mount).getTotalSpace() <= 64 * 1024;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    @DisplayName("a read-only file as the output is PVMM-E014 and keeps its content")
    void readOnlyFile() throws IOException {
        Path file = Files.writeString(dir.resolve("ro.hooks"), "keep");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        assumeTrue(!Files.isWritable(file), "running as root: a read-only file is writable");

        CliRunner.Result r = run("run", "--workload", "fork-exit", "--record-hooks", "ro.hooks");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E014").contains("it is not writable");
        assertThat(Files.readString(file)).isEqualTo("keep");
        assertThat(Files.exists(file, LinkOption.NOFOLLOW_LINKS)).isTrue();
    }
}
