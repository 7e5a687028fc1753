package io.pvmm.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/**
 * Renders {@code docs/cli.md}, the command reference, from the commands themselves: an introduction,
 * then each command's usage help as {@code --help} prints it. A test keeps the page in step with the
 * commands.
 */
public final class CliDocs {

    /** The command that regenerates {@code docs/cli.md}. */
    public static final String REGENERATE = "mvn -B -pl cli -am verify -Dpvmm.docs.update=true";

    private static final int WIDTH = 100;

    private CliDocs() {
    }

    /**
     * The whole page.
     *
     * @return the Markdown text of {@code docs/cli.md}
     */
    public static String page() {
        CliContext context = CliContext.of(Map.of(), Map.of(), Path.of("."), () -> {
            throw new IllegalStateException("the reference never discovers backends");
        });
        CommandLine root = Main.commandLine(context);
        StringBuilder sb = new StringBuilder();
        sb.append("# pvmm command reference\n\n");
        sb.append("<!-- Generated from the commands' usage help (io.pvmm.cli.CliDocs); do not edit by hand. Regenerate with:\n");
        sb.append("     ").append(REGENERATE).append(" -->\n\n");
        sb.append(INTRO);
        append(root, sb);
        sb.append(FORMATS);
        return sb.toString();
    }

    private static void append(CommandLine command, StringBuilder sb) {
        if (command.getCommandSpec().usageMessage().hidden()) {
            return;
        }
        command.setUsageHelpWidth(WIDTH).setUsageHelpAutoWidth(false);
        StringWriter text = new StringWriter();
        command.usage(new PrintWriter(text), CommandLine.Help.Ansi.OFF);
        sb.append("## ").append(command.getCommandSpec().qualifiedName()).append("\n\n```text\n")
                .append(text.toString().stripTrailing()).append("\n```\n\n");
        for (CommandLine sub : command.getSubcommands().values()) {
            append(sub, sb);
        }
    }

    private static final String INTRO = """
            `pvmm` runs the Linux 2.6.21 i386 page-table code on a pluggable hypervisor backend. Every option
            that takes a value is also a configuration key (shown in brackets in each option's description), so
            it can come, in this order of precedence, from the command line, a system property `pvmm.<key>`, the
            environment `PVMM_<KEY>`, the configuration file `pvmm.properties`, or the default; `pvmm config`
            prints every key's value and where it came from (see also docs/configuration.md). Errors carry a code
            explained by `pvmm explain CODE` and docs/errors.md.

            Third-party backends are jars in the distribution's `backends/` directory, or in a directory named by
            `--backend-path` (`pvmm.backend.path`, `PVMM_BACKEND_PATH`): each jar, or each sub-directory of jars,
            gets a class loader of its own that shares only the SPI (`io.pvmm.api`) with pvmm, so a backend may
            bring its own versions of any library. `pvmm backends check JAR` validates a jar before it is
            installed.

            Shell completion: `source <(pvmm generate-completion)` in bash or zsh, or `source completion/pvmm.bash`
            in the distribution; it offers the modes, the built-in workloads and backends, and the guest bugs.

            """;

    private static final String FORMATS = """
            ## JSON output

            `run`, `replay` and `compare` with `--format json` print one JSON object whose shape is published
            as a JSON Schema (draft 2020-12), [docs/schema/pvmm.schema.json](schema/pvmm.schema.json), also in
            the distribution's `docs/schema/`. Its first key, `schemaVersion`, changes when a key is renamed,
            removed or changes meaning, not when one is added. `run` and `replay` print a run report; `compare`
            prints a comparison, whose `modes[].runs[].report` and `bugs[].report` are run reports of the same
            shape. Every object has all of its keys (null where a value is absent), and none that the schema
            does not name: a test validates each command's JSON against the schema, and the schema against
            the code that writes it.

            ## Output files

            Every file pvmm writes (`--record-hooks`, `--html`, `import-strace -o`, `record -o`, `--keep-log`)
            is checked before any work is done and never destroys what stands at its path:

            - **Nothing there, or a regular file:** written to a temporary file in the same directory, then
              renamed over the path, so the file appears whole or not at all; a file replaced keeps its
              permissions. If a write fails (a full disk), the old file is left as it was, the temporary file
              is deleted, and the command ends with PVMM-E014 (exit code 2).
            - **A symbolic link:** written through, as `cp` does: the link stays and the file it points to is
              replaced as above. A link that points to nothing is refused (PVMM-E014).
            - **A device, a FIFO or a socket** (`/dev/null`, `/dev/stdout`): written to directly, as `cp`
              does, and never replaced; a failed write (`/dev/full`) is PVMM-E014.
            - **Refused with PVMM-E014:** a directory, a file in a directory that is missing or not writable,
              a file that is not writable, and a file the command reads (its trace, its strace log, its
              configuration file), even through a link.

            Input files are read a line at a time; a line longer than 65536 characters, or one that is not
            UTF-8 text, is an input error naming the line (PVMM-E012 for a trace, E030 for a hook recording,
            E050 for an strace log); a configuration file is at most 1 MiB (PVMM-E010).

            ## How compare checks translations

            When the workload is done, before the guest shuts down, the comparison walks the page tables with the
            hardware walker, page by page (large pages split into 4 KiB pages, so backends that forbid PSE compare
            with those that use it): each live address space's user half (address, frame, writable, user) and the
            kernel half of `swapper_pg_dir`. The direct map must map each page to the frame its address says
            (compared up to the smaller lowmem); vmalloc, the persistent kmaps and the fixmap are compared by
            offset in their region, since a hypervisor hole moves them. Other frames are compared by identity, not
            number: each distinct frame is labelled in the order the walk meets it, because which frame the
            allocator hands out depends on how many frames boot used, while which pages share a frame does not.
            AGREED means every page matches the first backend's.

            ## The hook recording format

            `pvmm run --record-hooks FILE` writes, and `pvmm replay-hooks FILE` reads:

            ```text
            pvmm-hooks 1
            # comments start with #
            mode two-level               the guest's layout: mode, memory-mib, vcpus, pse, pge,
            memory-mib 256               reserved-top (hex), unshared-kernel-pmd
            vcpus 1
            pse true
            pge true
            reserved-top 0x0
            unshared-kernel-pmd false
            backend native               what was recorded (informative): backend, workload, seed, kernel
            workload fork-exit
            seed 1
            kernel 2.6.21
            calls
            0 clearFrame 0x1a3           one call per line: the vCPU, the method, its arguments in hex
            0 store 0x1a3c00 0x2067
            0 allocPt 0x1a3
            0 setPmd 0x101c00 0x1a3067
            end 48213                    the number of calls above (clearFrame and store not counted)
            ```

            Methods are those of `io.pvmm.api.ParavirtOps` with their Java names and arguments in declaration
            order. `clearFrame PFN` and `store PA VALUE` are the guest's own stores to memory, which the SPI never
            sees but a backend may read: the frame announced by `allocPt`, `allocPd` and `allocPdClone` (its
            contents just before the call), the entry changed in place before `pteUpdate`, and a PAE root's four
            entries before `activateMm`, `dupMmap` and `writeCr3`. A replayer performs them on memory directly, as
            hardware would, and so does it for a `writeFault` the backend declines. `replay-hooks` builds a machine
            of the recorded layout, creates the backend for it, and calls the recorded methods in order, each on
            the vCPU that made it; it stops at the first call the backend refuses and prints the rule and the line
            (exit code 4). A backend whose platform differs from the recorded guest's (no PSE, a reserved top)
            will refuse what a guest built for it would not have done: the command says so first.
            """;
}
