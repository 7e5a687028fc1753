package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

@DisplayName("help text")
class HelpTextTest {

    private static final CommandLine ROOT = Main.commandLine(CliContext.of(Map.of(), Map.of(), Path.of("."), () -> {
        throw new IllegalStateException("help never discovers backends");
    }));

    /** Each description line is printed as its own paragraph, so one that stops mid-sentence breaks the help there. */
    @Test
    @DisplayName("every line of a command's or an option's description ends a sentence, so help never breaks mid-sentence")
    void wholeSentences() {
        List<String> broken = new ArrayList<>();
        collect(ROOT, broken);
        assertThat(broken).isEmpty();
    }

    private static void collect(CommandLine command, List<String> broken) {
        String name = command.getCommandSpec().qualifiedName();
        for (String line : command.getCommandSpec().usageMessage().description()) {
            check(name, line, broken);
        }
        for (ArgSpec arg : command.getCommandSpec().args()) {
            for (String line : arg.description()) {
                check(name + " " + arg.paramLabel(), line, broken);
            }
        }
        command.getSubcommands().values().stream().filter(sub -> sub.getCommandSpec().parent() == command.getCommandSpec())
                .forEach(sub -> collect(sub, broken));
    }

    private static void check(String where, String line, List<String> broken) {
        String s = line.replace("%n", "").strip();
        if (!s.isEmpty() && !s.matches("(?s).*[.:?!)]$")) {
            broken.add(where + ": " + s);
        }
    }

    @Test
    @DisplayName("pvmm help COMMAND prints that command's help, and help with no command lists every command the tree has")
    void helpCommand() {
        CliRunner.Result one = new CliRunner(Path.of(".")).run("help", "compare");
        CliRunner.Result all = new CliRunner(Path.of(".")).run("help");

        assertThat(one.exitCode()).isZero();
        assertThat(one.out()).startsWith("Usage: pvmm compare");
        assertThat(all.exitCode()).isZero();
        for (String command : PvmmCommand.commandNames(ROOT.getCommandSpec())) {
            assertThat(all.out()).containsPattern("(?m)^  " + command + " ");
        }
    }
}
