package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.runtime.error.ErrorDocs;
import io.pvmm.runtime.error.PvmmError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The pvmm command")
class MainTest {

    @TempDir
    Path dir;

    private CliRunner cli() {
        return new CliRunner(dir);
    }

    @Test
    @DisplayName("--version prints the project version and the SPI version")
    void version() {
        CliRunner.Result r = cli().run("--version");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).matches("pvmm \\d+\\.\\d+\\.\\d+\\S*\nSPI version 1\\.1\n");
    }

    @Test
    @DisplayName("--help lists the commands and the exit codes")
    void help() {
        CliRunner.Result r = cli().run("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("backends", "explain", "Exit codes:",
                "  0   success", "  1   failure", "  2   usage or configuration error", "  3   backend selection error",
                "  4   violations or audit findings");
    }

    @Test
    @DisplayName("an unknown option is a usage error, exit code 2")
    void unknownOption() {
        CliRunner.Result r = cli().run("backends", "--bogus");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E020 Unknown option: '--bogus'").contains("Run 'pvmm backends --help' for usage");
    }

    @Test
    @DisplayName("an unknown command is a usage error with a suggestion, exit code 2")
    void unknownCommand() {
        CliRunner.Result r = cli().run("backend");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E020 unknown command 'backend'.").contains("Did you mean 'backends'?");
    }

    @Test
    @DisplayName("no command at all is a usage error, exit code 2")
    void noCommand() {
        assertThat(cli().run().exitCode()).isEqualTo(2);
    }

    @Test
    @DisplayName("a failure outside the catalogue is reported with its trace, exit code 1")
    void internalError() {
        CliRunner.Result r = cli().runtime(() -> {
            throw new IllegalStateException("broken runtime");
        }).run("backends");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("pvmm: internal error: java.lang.IllegalStateException: broken runtime");
    }

    @Test
    @DisplayName("explain CODE prints the same entry as docs/errors.md")
    void explainPrintsTheDocsEntry() throws IOException {
        CliRunner.Result r = cli().run("explain", "PVMM-E002");
        String page = Files.readString(Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent()
                .resolve("docs/errors.md"), StandardCharsets.UTF_8);

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo(ErrorDocs.entry(PvmmError.UNKNOWN_BACKEND)).startsWith("## PVMM-E002 unknown backend\n");
        assertThat(page).contains(r.out());
    }

    @Test
    @DisplayName("explain accepts a short code and lists every code when given none")
    void explainForms() {
        assertThat(cli().run("explain", "e10").out()).startsWith("## PVMM-E010 ");
        assertThat(cli().run("explain").out()).contains("PVMM-E001  no backend provider found", "PVMM-E018  the guest hit a BUG");
    }

    @Test
    @DisplayName("explain with an unknown code is a usage error, exit code 2")
    void explainUnknownCode() {
        CliRunner.Result r = cli().run("explain", "PVMM-E999");

        assertThat(r.exitCode()).isEqualTo(2);
        io.pvmm.runtime.error.PvmmError[] codes = io.pvmm.runtime.error.PvmmError.values();
        assertThat(r.err()).contains("unknown error code 'PVMM-E999'", "PVMM-E001 to " + codes[codes.length - 1].code());
    }
}
