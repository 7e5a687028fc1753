package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.runtime.guest.GuestRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exit code 4 means one thing in {@code run}, {@code replay}, {@code compare} and {@code replay-hooks}:
 * something was found, and the whole report is printed. Each case is a real guest bug on a real backend.
 */
@DisplayName("exit code 4: a finding, the same in every command that runs a guest")
class FindingsExitCodeTest {

    /** A small run: every bug's path, in a second or so. */
    private static final String[] SMALL = {"--memory-mib", "64", "--set", "workload.processes=20"};

    @TempDir
    Path dir;

    private CliRunner cli() {
        return new CliRunner(dir).runtime(GuestRuntime::discover);
    }

    private CliRunner.Result command(String command, String backend, String mode, String bug, String... more) {
        List<String> args = new ArrayList<>(List.of(command));
        if (command.equals("compare")) {
            args.addAll(List.of("--backends", backend, "--mode", mode));
        } else {
            args.addAll(List.of("--backend", backend, "--mode", mode));
        }
        args.addAll(Arrays.asList(SMALL));
        if (bug != null) {
            args.addAll(List.of("--set", "guest.bug=" + bug));
        }
        args.addAll(Arrays.asList(more));
        return cli().run(args.toArray(new String[0]));
    }

    private static void assertWholeRunReport(CliRunner.Result r) {
        assertThat(r.out()).contains("hooks (calls per SPI method", "backend counters", "hooks balanced:", "violations:",
                "audits:", "audit findings:");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"run", "replay"})
    @DisplayName("unbalanced hooks alone (skip-release-pt on native, two-level) exit 4")
    void unbalancedHooks(String command) throws Exception {
        CliRunner.Result r = command.equals("run") ? command("run", "native", "two-level", "skip-release-pt")
                : replay("native", "two-level", "skip-release-pt");
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(4);
        assertWholeRunReport(r);
        assertThat(r.out()).contains("hooks balanced: NO; frames leaked: 0", "violations: none", "audit findings: none");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"run", "replay"})
    @DisplayName("leaked frames alone (leak-pgd on native, PAE: every hook balanced) exit 4")
    void leakedFrames(String command) throws Exception {
        CliRunner.Result r = command.equals("run") ? command("run", "native", "pae", "leak-pgd") : replay("native", "pae", "leak-pgd");
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(4);
        assertWholeRunReport(r);
        assertThat(r.out()).contains("hooks balanced: yes; frames leaked: ", "violations: none", "audit findings: none")
                .doesNotContain("frames leaked: 0");
    }

    @Test
    @DisplayName("leak-pgd on native in two-level mode, unbalanced and leaking, exits 4 (it exited 0)")
    void leakPgdOnNative() {
        CliRunner.Result r = cli().run("run", "--backend", "native", "--set", "guest.bug=leak-pgd");
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(4);
        assertThat(r.out()).contains("hooks balanced: NO; frames leaked: 295");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"run", "replay"})
    @DisplayName("a violation (skip-release-pt on vmi) exits 4 with the report up to it")
    void violation(String command) throws Exception {
        CliRunner.Result r = command.equals("run") ? command("run", "vmi", "two-level", "skip-release-pt")
                : replay("vmi", "two-level", "skip-release-pt");
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(4);
        assertWholeRunReport(r);
        assertThat(r.out()).contains("STOPPED", "violations: 1", "alloc-of-typed-frame");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"run", "replay"})
    @DisplayName("an audit finding alone (write-table-directly on vmi: no violation, hooks balanced) exits 4")
    void auditFinding(String command) throws Exception {
        CliRunner.Result r = command.equals("run") ? command("run", "vmi", "two-level", "write-table-directly")
                : replay("vmi", "two-level", "write-table-directly");
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(4);
        assertWholeRunReport(r);
        assertThat(r.out()).contains("violations: none", "hooks balanced: yes; frames leaked: 0", "shadow-mismatch")
                .doesNotContain("audit findings: none");
    }

    @Test
    @DisplayName("without a bug the same runs exit 0: the findings above are the bugs'")
    void controls() throws Exception {
        for (String backend : List.of("native", "vmi")) {
            for (String mode : List.of("two-level", "pae")) {
                CliRunner.Result r = command("run", backend, mode, null);
                assertThat(r.exitCode()).as("%s %s: %s%s", backend, mode, r.out(), r.err()).isZero();
                assertThat(r.out()).contains("hooks balanced: yes; frames leaked: 0", "audit findings: none");
            }
        }
        assertThat(replay("native", "two-level", null).exitCode()).isZero();
        assertThat(command("compare", "native,vmi", "both", null).exitCode()).isZero();
    }

    @Test
    @DisplayName("compare exits 4 on each kind of finding in its runs: unbalanced, leaked, violation, audit finding")
    void compare() {
        for (String[] c : new String[][] {{"native", "two-level", "skip-release-pt"}, {"native", "pae", "leak-pgd"},
            {"vmi", "two-level", "skip-release-pt"}, {"vmi", "two-level", "write-table-directly"}}) {
            CliRunner.Result r = command("compare", c[0], c[1], c[2]);
            assertThat(r.exitCode()).as("compare %s: %s%s", String.join(" ", c), r.out(), r.err()).isEqualTo(4);
            assertThat(r.out()).contains("hooks balanced", "audit findings");
        }
    }

    @Test
    @DisplayName("replay-hooks audits the backend once the last call has returned: a table written behind its back exits 4")
    void replayHooksAudits() throws Exception {
        Path rec = dir.resolve("run.hooks");
        CliRunner.Result recorded = command("run", "native", "two-level", null, "--record-hooks", rec.toString());
        assertThat(recorded.exitCode()).as(recorded.err()).isZero();
        CliRunner.Result clean = cli().run("replay-hooks", rec.toString(), "--backend", "vmi");
        assertThat(clean.exitCode()).as(clean.out() + clean.err()).isZero();
        assertThat(clean.out()).contains("audit at the end: no finding");

        List<String> lines = new ArrayList<>(Files.readAllLines(rec));
        // a plain store into swapper_pg_dir's first kernel entry (pfn 0x3fe, entry 768), which no hook announces
        lines.add(lines.size() - 1, "0 store 0x3fec00 0x0");
        Path behind = dir.resolve("behind.hooks");
        Files.write(behind, lines);
        CliRunner.Result r = cli().run("replay-hooks", behind.toString(), "--backend", "vmi");
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(4);
        assertThat(r.out()).contains("no refusal", "audit at the end: 1 finding", "shadow-mismatch", "frame 0x3fe, entry 768");
    }

    private CliRunner.Result replay(String backend, String mode, String bug) throws Exception {
        Path trace = dir.resolve("t.trace");
        StringBuilder sb = new StringBuilder("pvmm-trace 1\nspawn 1\nexec 1\n");
        for (int p = 2; p < 12; p++) {
            sb.append("fork 1 ").append(p).append('\n').append("exec ").append(p).append('\n')
                    .append("touch ").append(p).append(" 0xbfffe000 w\n").append("touch ").append(p).append(" 0x08049000 w\n");
            if (p % 3 == 0) {
                sb.append("exit ").append(p).append('\n');
            }
        }
        Files.writeString(trace, sb.toString());
        List<String> args = new ArrayList<>(List.of("replay", trace.toString(), "--backend", backend, "--mode", mode,
                "--memory-mib", "64"));
        if (bug != null) {
            args.addAll(List.of("--set", "guest.bug=" + bug));
        }
        return cli().run(args.toArray(new String[0]));
    }
}
