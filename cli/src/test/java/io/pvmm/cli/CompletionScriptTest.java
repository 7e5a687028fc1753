package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.AutoComplete;

@DisplayName("the distribution's completion script")
class CompletionScriptTest {

    private static final Path SCRIPT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
            .resolve("src/dist/completion/pvmm.bash");

    private static String generated() {
        CliContext context = CliContext.of(Map.of(), Map.of(), Path.of("."), () -> {
            throw new IllegalStateException("completion never discovers backends");
        });
        return AutoComplete.bash("pvmm", Main.commandLine(context));
    }

    @Test
    @DisplayName("is what generate-completion prints, in step with the commands (regenerate with -Dpvmm.docs.update=true)")
    void inStep() throws IOException {
        String expected = generated();
        if (Boolean.getBoolean("pvmm.docs.update")) {
            Files.writeString(SCRIPT, expected, StandardCharsets.UTF_8);
        }
        String actual = Files.exists(SCRIPT) ? Files.readString(SCRIPT, StandardCharsets.UTF_8) : "(missing)";
        assertThat(actual).as("completion/pvmm.bash is out of step; regenerate it with: " + CliDocs.REGENERATE).isEqualTo(expected);
    }

    @Test
    @DisplayName("offers the modes, the built-in workloads and backends, and the guest bugs as values")
    void offersValues() {
        String script = generated();

        assertThat(script).contains("two-level", "pae", "both", "fork-exit", "smp-mixed", "native", "xen", "vmi", "all")
                .doesNotContain("fixture");
        for (io.pvmm.guest.bugs.GuestBug bug : io.pvmm.guest.bugs.GuestBug.values()) {
            assertThat(script).as("guest bug %s is a candidate", bug).contains(bug.settingName());
        }
    }
}
