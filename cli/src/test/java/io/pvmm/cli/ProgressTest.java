package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("the progress bar")
class ProgressTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("shows the runs done, the time elapsed and, once a run is done, an estimate of what remains")
    void elapsedAndEstimate() {
        StringWriter text = new StringWriter();
        try (Progress p = Progress.open(new PrintWriter(text), true, 2)) {
            p.start("native two-level");
            p.finish();
            p.start("xen two-level");
        }

        assertThat(text.toString()).contains("0/2 runs  native two-level  0 ops  0:00")
                .containsPattern("1/2 runs  xen two-level  0 ops  0:\\d\\d, ~0:\\d\\d left");
    }

    @Test
    @DisplayName("draws nothing when standard error is not a terminal: no carriage return reaches a redirected file")
    void nothingWhenRedirected() {
        CliRunner.Result r = new CliRunner(dir).run("compare", "--backends", "native", "--set", "workload.processes=2",
                "--set", "workload.iterations=1");

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).doesNotContain("\r");
    }

    @Test
    @DisplayName("the real process takes the launcher's word on whether standard error is a terminal")
    void launcherDecides() {
        String before = System.getProperty(CliContext.STDERR_TERMINAL);
        try {
            System.setProperty(CliContext.STDERR_TERMINAL, "false");
            assertThat(CliContext.system().terminal()).isFalse();
            System.setProperty(CliContext.STDERR_TERMINAL, "true");
            assertThat(CliContext.system().terminal()).isTrue();
        } finally {
            if (before == null) {
                System.clearProperty(CliContext.STDERR_TERMINAL);
            } else {
                System.setProperty(CliContext.STDERR_TERMINAL, before);
            }
        }
    }
}
