package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvmm.backend.nativeops.NativeProvider;
import io.pvmm.cli.fixtures.PickyProvider;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("pvmm run --record-hooks and pvmm replay-hooks")
class HookRecordingTest {

    @TempDir
    Path dir;

    private CliRunner cli() {
        return new CliRunner(dir).runtime(() -> PvmmRuntime.of(BackendRegistry.of(List.of(
                DiscoveredBackend.describe(new NativeProvider(), "/lib/native.jar"),
                DiscoveredBackend.describe(new PickyProvider(), "/backends/picky.jar")), List.of(), "test")));
    }

    private CliRunner.Result record(String mode) {
        // 2.6.23, so the recording holds every kind of call, dup_mmap's and exit_mmap's included
        return cli().run("run", "--backend", "native", "--mode", mode, "--workload", "fork-exit", "--set", "workload.processes=6",
                "--set", "guest.kernel=2.6.23", "--format", "json", "--record-hooks", "fork.hooks");
    }

    @Test
    @DisplayName("a recording starts with its header and holds one call per line, vCPU, method and hex arguments")
    void format() throws IOException {
        assertThat(record("two-level").exitCode()).isZero();

        List<String> lines = Files.readAllLines(dir.resolve("fork.hooks"));
        assertThat(lines.get(0)).isEqualTo("pvmm-hooks 1");
        assertThat(lines).contains("mode two-level", "memory-mib 256", "vcpus 1", "pse true", "reserved-top 0x0", "backend native",
                "workload fork-exit", "seed 1", "calls");
        assertThat(lines).anyMatch(l -> l.matches("0 setPteAt 0x[0-9a-f]+ 0x[0-9a-f]+ 0x[0-9a-f]+ 0x[0-9a-f]+"))
                .anyMatch(l -> l.matches("0 allocPdClone 0x[0-9a-f]+ 0x[0-9a-f]+ 0x300 0x100"))
                .anyMatch(l -> l.matches("0 store 0x[0-9a-f]+ 0x[0-9a-f]+"));
        assertThat(lines.get(lines.size() - 1)).matches("end \\d+");
    }

    @Test
    @DisplayName("replayed on native, in either mode, nothing is refused and every method is called as often as in the run")
    void replayOnNative() throws IOException {
        for (String mode : List.of("two-level", "pae")) {
            CliRunner.Result run = record(mode);
            JsonNode hooks = new ObjectMapper().readTree(run.out()).get("hooks");

            CliRunner.Result replay = cli().run("replay-hooks", "fork.hooks", "--backend", "native");

            assertThat(replay.exitCode()).as(replay.out() + replay.err()).isZero();
            assertThat(replay.out()).contains("no refusal: native accepted every call");
            Map<String, Long> replayed = counts(replay.out());
            for (Iterator<Map.Entry<String, JsonNode>> it = hooks.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                assertThat(replayed.getOrDefault(e.getKey(), 0L)).as(mode + " " + e.getKey()).isEqualTo(e.getValue().asLong());
            }
        }
    }

    private static Map<String, Long> counts(String out) {
        String line = out.lines().dropWhile(l -> !l.equals("calls made, by method:")).skip(1).findFirst().orElseThrow();
        Map<String, Long> m = new java.util.HashMap<>();
        Matcher matcher = Pattern.compile("(\\w+) (\\d+)").matcher(line);
        while (matcher.find()) {
            m.put(matcher.group(1), Long.parseLong(matcher.group(2)));
        }
        return m;
    }

    @Test
    @DisplayName("the first call a backend refuses is reported with its rule and its line in the recording, exit 4")
    void refusal() throws IOException {
        record("two-level");

        CliRunner.Result replay = cli().run("replay-hooks", "fork.hooks", "--backend", "picky");

        assertThat(replay.exitCode()).isEqualTo(4);
        Matcher m = Pattern.compile("REFUSED at line (\\d+): (0 dupMmap .*)\n  rule picky-second-fork\n  .*a second fork.*\n").matcher(replay.out());
        assertThat(m.find()).as(replay.out()).isTrue();
        List<String> lines = Files.readAllLines(dir.resolve("fork.hooks"));
        assertThat(lines.get(Integer.parseInt(m.group(1)) - 1)).isEqualTo(m.group(2));
        assertThat(lines.subList(0, Integer.parseInt(m.group(1)) - 1).stream().filter(l -> l.contains(" dupMmap ")).count()).isEqualTo(1);
    }

    @Test
    @DisplayName("a malformed recording is PVMM-E030 with the line, a missing one PVMM-E031, both exit 2")
    void badRecordings() throws IOException {
        Files.writeString(dir.resolve("bad.hooks"), "pvmm-hooks 1\nmode two-level\nmemory-mib 64\nvcpus 1\npse true\npge true\n"
                + "reserved-top 0x0\nunshared-kernel-pmd false\ncalls\n0 allocPt 0x10\n0 setPte 0x1c00\nend 2\n");

        CliRunner.Result malformed = cli().run("replay-hooks", "bad.hooks", "--backend", "native");
        CliRunner.Result missing = cli().run("replay-hooks", "none.hooks", "--backend", "native");

        assertThat(malformed.exitCode()).isEqualTo(2);
        assertThat(malformed.err()).startsWith("PVMM-E030 hook recording " + dir.resolve("bad.hooks") + " is malformed at line 11 (from FILE argument).")
                .contains("Expected: <vcpu> setPte and 2 arguments in hex.", "Found: 0 setPte 0x1c00");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("PVMM-E031 hook recording " + dir.resolve("none.hooks") + " cannot be read");
    }

    @Test
    @DisplayName("a header whose guest the model cannot boot (memory, vCPUs) is PVMM-E030 at the header, exit 2")
    void impossibleHeader() throws IOException {
        String calls = "reserved-top 0x0\nunshared-kernel-pmd false\ncalls\n0 allocPt 0x10\nend 1\n";
        Files.writeString(dir.resolve("tiny.hooks"), "pvmm-hooks 1\nmode two-level\nmemory-mib 1\nvcpus 1\npse true\npge true\n" + calls);
        Files.writeString(dir.resolve("novcpu.hooks"), "pvmm-hooks 1\nmode two-level\nmemory-mib 64\nvcpus 0\npse true\npge true\n" + calls);

        CliRunner.Result tiny = cli().run("replay-hooks", "tiny.hooks", "--backend", "native");
        CliRunner.Result novcpu = cli().run("replay-hooks", "novcpu.hooks", "--backend", "native");

        assertThat(tiny.exitCode()).isEqualTo(2);
        assertThat(tiny.err()).startsWith("PVMM-E030").contains("malformed at line 1 ", "guest.memory-mib must be between 16 and 4096")
                .doesNotContain("internal error");
        assertThat(novcpu.exitCode()).isEqualTo(2);
        assertThat(novcpu.err()).startsWith("PVMM-E030").contains("malformed at line 1 ", "vcpus must be between 1 and 64");
    }

    @Test
    @DisplayName("a recording cut short is malformed: its end line is missing")
    void truncated() throws IOException {
        record("two-level");
        List<String> lines = Files.readAllLines(dir.resolve("fork.hooks"));
        Files.write(dir.resolve("cut.hooks"), lines.subList(0, lines.size() / 2));

        CliRunner.Result r = cli().run("replay-hooks", "cut.hooks", "--backend", "native");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("PVMM-E030", "Expected: end <calls> (the recording is cut short).");
    }

    @Test
    @DisplayName("an unwritable --record-hooks path is PVMM-E014 before the run, and no file is left")
    void unwritable() throws IOException {
        CliRunner.Result r = cli().run("run", "--backend", "native", "--record-hooks", "no/such/dir/x.hooks");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E014 output path " + dir.resolve("no/such/dir/x.hooks") + " is not writable (from --record-hooks option).");
        assertThat(r.out()).isEmpty();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    @DisplayName("a run that fails to configure leaves no recording behind")
    void noPartialRecording() throws IOException {
        CliRunner.Result r = cli().run("run", "--backend", "native", "--workload", "missing.trace", "--record-hooks", "x.hooks");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E013");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
