package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Shell completion and help")
class CompletionTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("generate-completion prints a bash completion script that knows every command, and is hidden from --help")
    void completion() {
        CliRunner.Result r = new CliRunner(dir).run("generate-completion");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("complete -F _complete_pvmm", "compare", "replay-hooks", "--backends", "--record-hooks");
        assertThat(new CliRunner(dir).run("--help").out()).contains("compare", "replay-hooks", "config").doesNotContain("generate-completion");
    }

    @Test
    @DisplayName("every command's --help has examples")
    void examples() {
        for (String[] command : new String[][] {{"run"}, {"replay"}, {"compare"}, {"replay-hooks"}, {"backends"}, {"backends", "check"},
                {"config"}}) {
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--help";
            CliRunner.Result r = new CliRunner(dir).run(args);
            assertThat(r.exitCode()).as(String.join(" ", command)).isZero();
            assertThat(r.out()).as(String.join(" ", command)).contains("Examples:", "  pvmm " + command[0]);
        }
    }
}
