package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvmm.runtime.guest.GuestRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clone-outside-lock race, from the command line: {@code compare --workload clone-race --vcpus 2
 * --bugs clone-outside-lock --seeds 50} runs the bug on 50 seeds per backend, and the same seeds without
 * it, and says in how many each backend caught it.
 */
@DisplayName("pvmm compare --seeds: the clone-outside-lock race")
class RaceFromTheCommandLineTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("vmi's audit finds the race within 50 seeds, and never without the bug; native never sees anything")
    void vmiCatchesTheRaceWithin50Seeds() throws Exception {
        CliRunner.Result r = new CliRunner(dir).runtime(GuestRuntime::discover).run("compare", "--backends", "native,vmi",
                "--mode", "two-level", "--workload", "clone-race", "--vcpus", "2", "--bugs", "clone-outside-lock",
                "--seeds", "50", "--set", "workload.iterations=100", "--format", "json");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        Map<String, JsonNode> byBackend = new HashMap<>();
        new ObjectMapper().readTree(r.out()).get("seeded").forEach(s -> byBackend.put(s.get("backend").asText(), s));
        JsonNode vmi = byBackend.get("vmi");
        assertThat(vmi.get("seeds").asInt()).isEqualTo(50);
        List<String> race = List.of("audit:stale-kernel-entry", "audit:shadow-mismatch");
        assertThat(names(vmi.get("seen"))).as("what vmi showed with the bug").containsAnyElementsOf(race);
        assertThat(vmi.get("caught").asInt()).as("runs in which vmi caught it").isPositive();
        assertThat(vmi.get("controlFound").asInt()).as("runs without the bug in which vmi found anything: " + vmi.get("controlSeen"))
                .isZero();
        JsonNode nat = byBackend.get("native");
        assertThat(nat.get("caught").asInt()).isZero();
        assertThat(nat.get("controlFound").asInt()).isZero();
    }

    private static List<String> names(JsonNode counts) {
        List<String> names = new ArrayList<>();
        counts.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    @DisplayName("the text report has a seeded-runs table: caught k/N and the control 0/N")
    void textTable() {
        CliRunner.Result r = new CliRunner(dir).runtime(GuestRuntime::discover).run("compare", "--backends", "native",
                "--mode", "two-level", "--workload", "clone-race", "--vcpus", "2", "--bugs", "clone-outside-lock",
                "--seeds", "3", "--set", "workload.iterations=20");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("Seeded runs: each bug on 3 seeds from 1, on 2 vCPUs")
                .containsPattern("clone-outside-lock +two-level +native +0/3 +- +0/3 +-");
    }

    @Test
    @DisplayName("--seeds 0 is PVMM-E009, exit 2")
    void badSeeds() {
        CliRunner.Result r = new CliRunner(dir).runtime(GuestRuntime::discover).run("compare", "--bugs", "leak-pgd", "--seeds", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("PVMM-E009", "compare.seeds", "--seeds");
    }
}
