package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.runtime.guest.GuestRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Values and command lines that were accepted, or answered without a code: each is now refused with one, before anything runs. */
@DisplayName("bad inputs")
class BadInputsTest {

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

    private void assertRefused(CliRunner.Result r, int exit, String start, String... contains) throws IOException {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(exit);
        assertThat(r.err()).startsWith(start).contains(contains).doesNotContain("\tat ", "internal error");
        assertThat(r.out()).as("nothing ran").doesNotContain("operations");
        assertThat(files()).as("nothing written").isEmpty();
    }

    @Test
    @DisplayName("a probability of NaN is PVMM-E009: not a finite number")
    void nanProbability() throws IOException {
        assertRefused(run("run", "--set", "guest.fail-alloc-probability=NaN"), 2,
                "PVMM-E009 invalid value 'NaN' for setting 'guest.fail-alloc-probability' (from --set option).", "not a finite number");
    }

    @Test
    @DisplayName("--vcpus beyond an int names guest.vcpus and its range, not an integer overflow")
    void vcpusOverflow() throws IOException {
        assertRefused(run("run", "--vcpus", "99999999999"), 2,
                "PVMM-E009 invalid value '99999999999' for setting 'guest.vcpus' (from --vcpus option).", "between 1 and 64");
        assertThat(run("run", "--vcpus", "99999999999").err()).doesNotContain("overflow", "guest.*");
    }

    @ParameterizedTest(name = "--sample-every {0}")
    @CsvSource({"0", "-5"})
    @DisplayName("--sample-every below 1 is PVMM-E009, not clamped to 1")
    void sampleEvery(String n) throws IOException {
        assertRefused(new CliRunner(dir).run("compare", "--backends", "native", "--sample-every", n), 2,
                "PVMM-E009 invalid value '" + n + "' for setting 'compare.sample-every' (from --sample-every option).", "1 or more");
    }

    @Test
    @DisplayName("--backends xen,xen is PVMM-E009: a backend named twice, not silently de-duplicated")
    void backendTwice() throws IOException {
        assertRefused(new CliRunner(dir).run("compare", "--backends", "xen,xen"), 2,
                "PVMM-E009 invalid value 'xen,xen' for setting 'compare.backends'", "'xen' is named twice");
    }

    @Test
    @DisplayName("--backends all,xen is PVMM-E009: all stands alone, not an unknown backend 'all'")
    void allInAList() throws IOException {
        assertRefused(new CliRunner(dir).run("compare", "--backends", "all,xen"), 2,
                "PVMM-E009 invalid value 'all,xen' for setting 'compare.backends'", "'all' stands alone");
    }

    @ParameterizedTest(name = "{0} then {1}")
    @CsvSource(delimiter = '|', value = {
        "--backend xen|--set backend=vmi|backend",
        "--set backend=vmi|--backend xen|backend",
        "--mode pae|--set mode=two-level|mode",
        "--vcpus 2|--set guest.vcpus=3|guest.vcpus"})
    @DisplayName("an option and --set giving one key two values is PVMM-E019, whichever comes first")
    void conflictingValues(String first, String second, String key) throws IOException {
        String[] args = Stream.concat(Stream.of("run"), Stream.concat(Stream.of(first.split(" ")), Stream.of(second.split(" "))))
                .toArray(String[]::new);
        assertRefused(run(args), 2, "PVMM-E019 '" + key + "' is given two values on the command line", "give it once");
    }

    @Test
    @DisplayName("the same value given twice is no conflict")
    void sameValueTwice() {
        CliRunner.Result r = run("run", "--backend", "native", "--set", "backend=native", "--workload", "fork-exit",
                "--set", "workload.processes=2", "--set", "workload.iterations=1");

        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    @ParameterizedTest(name = "pvmm {0}")
    @CsvSource(delimiter = '|', value = {
        "frobnicate|unknown command 'frobnicate'",
        "rnu|Did you mean 'run'?",
        "run --nosuch|Unknown option: '--nosuch'",
        "run --backend|Missing required parameter for option '--backend'",
        "run --vcpus 2 --vcpus 3|should be specified only once",
        "run --set noequals|KEY=VALUE",
        "run -D|'-D'",
        "-D|option '-D'",
        "|a command is required: run, replay, compare",
        "backends check|Missing required parameter: 'JAR'",
        "record|Missing required parameter: 'COMMAND'",
        "import-strace x.strace --touch-stack-pages 40|--touch-stack-pages must be from 1 to 32, not 40",
        "import-strace x.strace --touch-read-stride 0|--touch-read-stride must be 1 or more, not 0"})
    @DisplayName("a command line that cannot be parsed is PVMM-E020 (exit 2), saying what is wrong")
    void parserErrors(String line, String says) throws IOException {
        assertRefused(run(line == null ? new String[0] : line.split(" ")), 2, "PVMM-E020 ", says, "for usage", "See docs/errors.md#pvmm-e020");
    }

    @Test
    @DisplayName("--workload '' is PVMM-E011 unknown workload '', not 'is a directory'")
    void emptyWorkload() throws IOException {
        assertRefused(run("run", "--workload", ""), 2, "PVMM-E011 unknown workload ''", "Available:");
        assertThat(run("run", "--workload", "").err()).doesNotContain("directory");
    }

    @Test
    @DisplayName("--config '' is PVMM-E010 naming the empty name, not the working directory: the file name is empty")
    void emptyConfig() throws IOException {
        assertRefused(run("run", "--config", ""), 2, "PVMM-E010 configuration file '' cannot be used (from --config option).",
                "The file name is empty");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "brk 1 0x1000|a brk address from 0x8048000",
        "exec 1 text=16 text=3|'text=' given twice"})
    @DisplayName("trace lines outside what docs/traces.md allows are PVMM-E012 at their line")
    void traceRanges(String line, String says) throws IOException {
        Path trace = Files.writeString(dir.resolve("t.trace"), "pvmm-trace 1\nspawn 1\nexec 1\n" + line + "\nexit 1\n");

        CliRunner.Result r = run("replay", "t.trace");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E012 trace file " + trace + " is malformed at line 4").contains(says);
        assertThat(files()).containsExactly("t.trace");
    }

    @Test
    @DisplayName("pvmm backends warns of a misspelt environment variable with PVMM-E008, as run and config report it")
    void backendsWarnsOfUnknownVariable() {
        CliRunner.Result r = new CliRunner(dir).environment(Map.of("PVMM_MDOE", "pae")).run("backends");

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).startsWith("warning: PVMM-E008 unknown setting 'PVMM_MDOE' (from environment PVMM_MDOE).")
                .contains("Did you mean 'PVMM_MODE'?");
    }

    @Test
    @DisplayName("a failed run prints PVMM-E017 and its cause, its stack frames only with --verbose")
    void failureWithoutStackFrames() {
        CliRunner cli = new CliRunner(dir);
        CliRunner.Result quiet = cli.run("run", "--backend", "fixture", "--set", "fixture.level=-1", "--workload", "fork-exit");
        CliRunner.Result verbose = cli.run("run", "--backend", "fixture", "--set", "fixture.level=-1", "--workload", "fork-exit",
                "--verbose");

        assertThat(quiet.exitCode()).isEqualTo(1);
        assertThat(quiet.out()).contains("run failed: java.lang.IllegalStateException: fixture told to fail", "--verbose")
                .doesNotContain("\tat ", "\n    at ");
        assertThat(quiet.err()).startsWith("PVMM-E017 backend 'fixture' threw java.lang.IllegalStateException")
                .contains("Cause: java.lang.IllegalStateException: fixture told to fail");
        assertThat(verbose.exitCode()).isEqualTo(1);
        assertThat(verbose.out()).containsPattern("\\n\\s+at io\\.pvmm\\.");
    }

    @Test
    @DisplayName("the run text prints the outcomes as words, not a Java map")
    void outcomesAsWords() {
        CliRunner.Result r = run("run", "--workload", "fork-exit", "--set", "workload.processes=2", "--set", "workload.iterations=1");

        assertThat(r.out()).containsPattern("operations \\(OK \\d+, ENOMEM 0, ").doesNotContain("{OK=");
    }
}
