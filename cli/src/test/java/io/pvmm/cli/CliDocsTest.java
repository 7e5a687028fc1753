package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("docs/cli.md")
class CliDocsTest {

    private static final Path PAGE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent().resolve("docs/cli.md");

    @Test
    @DisplayName("is the commands' usage help, in step with the commands (regenerate with -Dpvmm.docs.update=true)")
    void inStep() throws IOException {
        String expected = CliDocs.page();
        if (Boolean.getBoolean("pvmm.docs.update")) {
            Files.writeString(PAGE, expected, StandardCharsets.UTF_8);
        }
        String actual = Files.exists(PAGE) ? Files.readString(PAGE, StandardCharsets.UTF_8) : "(missing)";
        assertThat(actual).as("docs/cli.md is out of step with the commands; regenerate it with: " + CliDocs.REGENERATE)
                .isEqualTo(expected);
    }

    @Test
    @DisplayName("documents every visible command and the hook recording format")
    void complete() {
        assertThat(CliDocs.page()).contains("## pvmm compare\n", "## pvmm replay\n", "## pvmm replay-hooks\n", "## pvmm run\n",
                "## pvmm backends\n", "## pvmm backends check\n", "## pvmm config\n", "## pvmm explain\n",
                "## The hook recording format").doesNotContain("## pvmm generate-completion");
    }
}
