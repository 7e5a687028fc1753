package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How compare reports a backend that crashes or cannot run the mode asked for. */
@DisplayName("pvmm compare, failures")
class CompareFailuresTest {

    private static final String[] SMALL = {"--set", "workload.processes=4", "--set", "workload.iterations=2", "--workload", "fork-exit"};

    @TempDir
    Path dir;

    private CliRunner.Result compare(String... args) {
        return new CliRunner(dir).run(Stream.concat(Stream.of("compare"), Stream.concat(Stream.of(SMALL), Stream.of(args)))
                .toArray(String[]::new));
    }

    @Test
    @DisplayName("a backend that throws shows PVMM-E017 and its cause in the text and the HTML report, not only STOPPED (exit 1)")
    void crashShowsTheError() throws IOException {
        CliRunner.Result r = compare("--backends", "native,fixture", "--set", "fixture.level=-1", "--html", "crash.html");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).contains("  fixture: STOPPED, PVMM-E017 backend 'fixture' threw java.lang.IllegalStateException",
                "Cause: java.lang.IllegalStateException: fixture told to fail in allocPt(0x");
        String html = Files.readString(dir.resolve("crash.html"));
        assertThat(html).contains("PVMM-E017 backend &#39;fixture&#39; threw java.lang.IllegalStateException", "fixture told to fail in allocPt");
    }

    @Test
    @DisplayName("--mode pae for a named backend with two-level only is PVMM-E006 (exit 3), as pvmm run gives, and writes no report")
    void unsupportedModeIsRefused() throws IOException {
        CliRunner.Result r = compare("--backends", "fixture", "--mode", "pae", "--html", "pae.html");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).startsWith("PVMM-E006 backend 'fixture' does not support paging mode 'pae' (from --mode option).");
        assertThat(r.out()).isEmpty();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    @DisplayName("--backends all --mode pae skips the backend without PAE and runs the others")
    void allSkipsTheBackendWithoutTheMode() {
        CliRunner.Result r = compare("--backends", "all", "--mode", "pae");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("fork-exit, pae mode, seed 1", "  fixture: skipped, fixture does not support pae");
    }
}
