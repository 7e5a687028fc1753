package io.pvmm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code pvmm} command: its subcommands, global {@code -D} options, help and version. */
@Command(name = "pvmm", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = {
            RunCommand.class,
            ReplayCommand.class,
            CompareCommand.class,
            ValidateCommand.class,
            ReplayHooksCommand.class,
            BackendsCommand.class,
            ConfigCommand.class,
            ExplainCommand.class,
            ImportStraceCommand.class,
            RecordCommand.class,
            CommandLine.HelpCommand.class,
            AutoComplete.GenerateCompletion.class,
        },
        description = "Run the Linux i386 page-table code on a pluggable hypervisor backend.",
        footerHeading = "%nConfiguration:%n",
        footer = {"The backend is chosen by, highest precedence first: --backend,",
            "-Dpvmm.backend, PVMM_BACKEND, pvmm.backend in ./pvmm.properties (or the",
            "file --config names), then 'native'. See docs/configuration.md.",
            "Error codes: 'pvmm explain CODE' and docs/errors.md."},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:success",
            "1:failure (a run failed: PVMM-E017, E018; strace missing or failed: E053, E054; or an internal error)",
            "2:usage or configuration error, or bad input (PVMM-E008..E015, E019, E020, E030..E032, E050..E052)",
            "3:backend selection error (PVMM-E001..E007)",
            "4:violations or audit findings, unbalanced hooks, leaked frames, a guest BUG, translations that differ,"
                + " or a refused replayed call (the whole report is printed)"})
final class PvmmCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SystemPropertyOptions systemProperties;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a command is required: " + String.join(", ", commandNames(spec)));
    }

    /**
     * The commands a user may type, from the command tree (hidden ones left out).
     *
     * @param spec the root command
     * @return their names, in the help's order
     */
    static List<String> commandNames(CommandSpec spec) {
        List<String> names = new ArrayList<>();
        spec.subcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden() && name.equals(sub.getCommandName())) {
                names.add(name);
            }
        });
        return names;
    }
}
