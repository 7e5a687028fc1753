package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvmm.runtime.guest.GuestRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("pvmm run")
class RunCommandTest {

    @TempDir
    Path dir;

    private CliRunner cli() {
        return new CliRunner(dir).runtime(GuestRuntime::discover);
    }

    private static JsonNode json(String out) throws Exception {
        return new ObjectMapper().readTree(out);
    }

    @Test
    @DisplayName("--format json prints one object with the report's fields, hooks keyed by Java method name, and balanced hooks")
    void jsonReport() throws Exception {
        CliRunner.Result r = cli().run("run", "--backend", "native", "--workload", "fork-exit", "--memory-mib", "64",
                "--set", "workload.processes=20", "--format", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = json(r.out());
        for (String field : new String[] {"backend", "mode", "workload", "seed", "hooks", "counters", "findings", "violations",
            "frames", "elapsedMillis"}) {
            assertThat(j.has(field)).as(field).isTrue();
        }
        assertThat(j.get("backend").asText()).isEqualTo("native");
        assertThat(j.get("mode").asText()).isEqualTo("two-level");
        assertThat(j.get("hooks").get("allocPt").asLong()).isPositive();
        assertThat(j.get("kernel").asText()).isEqualTo("2.6.21");
        assertThat(j.get("hooks").get("dupMmap").asLong()).as("2.6.21's paravirt_ops have no dup_mmap").isZero();
        assertThat(j.get("balanced").asBoolean()).isTrue();
        assertThat(j.get("violations")).isEmpty();
        assertThat(j.get("findings")).isEmpty();
    }

    @Test
    @DisplayName("two runs with one vCPU and the same seed give identical hooks")
    void deterministic() throws Exception {
        String[] args = {"run", "--workload", "smp-mixed", "--mode", "pae", "--seed", "11", "--memory-mib", "64",
            "--set", "workload.processes=20", "--format", "json"};
        JsonNode a = json(cli().run(args).out());
        JsonNode b = json(cli().run(args).out());
        assertThat(a.get("hooks")).isEqualTo(b.get("hooks"));
        assertThat(a.get("outcomes")).isEqualTo(b.get("outcomes"));
    }

    @Test
    @DisplayName("every run setting can come from the environment or the configuration file")
    void settingsFromElsewhere() throws Exception {
        Files.writeString(dir.resolve("pvmm.properties"), "pvmm.workload.name=boot\npvmm.mode=pae\n");
        CliRunner.Result r = cli().environment(Map.of("PVMM_GUEST_MEMORY_MIB", "32")).run("run", "--format", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = json(r.out());
        assertThat(j.get("workload").asText()).isEqualTo("boot");
        assertThat(j.get("mode").asText()).isEqualTo("pae");
    }

    @Test
    @DisplayName("a trace file runs as the workload")
    void traceFile() throws Exception {
        Files.writeString(dir.resolve("t.trace"), "pvmm-trace 1\nspawn 1\nexec 1\nfork 1 2\ntouch 2 0xbfffe000 w\nexit 2\n");
        CliRunner.Result r = cli().run("run", "--workload", "t.trace", "--format", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(json(r.out()).get("operations").asLong()).isEqualTo(5);
    }

    @Test
    @DisplayName("the text report names the backend, the hooks and the audit")
    void textReport() {
        CliRunner.Result r = cli().run("run", "--workload", "boot");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("backend native, mode two-level, kernel 2.6.21, workload boot", "allocPt 2 [2]", "audit findings: none",
                "hooks balanced: yes");
    }

    @Test
    @DisplayName("an unknown workload is PVMM-E011 with the built-ins and a suggestion, exit 2")
    void unknownWorkload() {
        CliRunner.Result r = cli().run("run", "--workload", "fork-exti");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("PVMM-E011", "fork-exit, pageattr", "Did you mean 'fork-exit'?", "--workload");
    }

    @Test
    @DisplayName("a malformed trace is PVMM-E012 with the line and what was expected; a missing one PVMM-E013")
    void badTraces() throws Exception {
        Files.writeString(dir.resolve("bad.trace"), "pvmm-trace 1\nspawn 1\nfork 2 3\n");
        CliRunner.Result bad = cli().run("run", "--workload", "bad.trace");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("PVMM-E012", "line 3", "appears before it was created");
        CliRunner.Result missing = cli().run("run", "--workload", "missing.trace");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("PVMM-E013", "missing.trace");
    }

    @Test
    @DisplayName("an out-of-range guest setting is PVMM-E009 naming the key and its source")
    void badSetting() {
        CliRunner.Result r = cli().run("run", "--vcpus", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("PVMM-E009", "vcpus", "--vcpus");
    }

    @Test
    @DisplayName("a guest memory size the paging mode cannot address is PVMM-E009 naming guest.memory-mib and its source, exit 2")
    void memoryOutOfRange() {
        CliRunner.Result tiny = cli().run("run", "--workload", "boot", "--memory-mib", "1");
        assertThat(tiny.exitCode()).isEqualTo(2);
        assertThat(tiny.err()).contains("PVMM-E009", "guest.memory-mib", "--memory-mib", "between 16 and 4096").doesNotContain("internal error");

        CliRunner.Result big = cli().environment(Map.of("PVMM_GUEST_MEMORY_MIB", "8192")).run("run", "--workload", "boot");
        assertThat(big.exitCode()).isEqualTo(2);
        assertThat(big.err()).contains("PVMM-E009", "PVMM_GUEST_MEMORY_MIB", "two-level");
        assertThat(cli().run("run", "--workload", "boot", "--mode", "pae", "--memory-mib", "8192").exitCode()).isZero();
    }

    @Test
    @DisplayName("a backend that throws something other than a violation is PVMM-E017 naming the backend, the exception and where, exit 1")
    void backendThrows() {
        CliRunner.Result r = cli().run("run", "--backend", "fixture", "--workload", "boot", "--set", "fixture.level=-1");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("run failed: java.lang.IllegalStateException: fixture told to fail in allocPt");
        assertThat(r.err()).startsWith("PVMM-E017").contains("backend 'fixture' threw java.lang.IllegalStateException in ", ".allocPt(",
                "workload 'boot', seed");
    }
}
