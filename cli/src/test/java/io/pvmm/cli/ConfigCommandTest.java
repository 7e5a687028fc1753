package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("pvmm config")
class ConfigCommandTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("prints every key with its value and source: option, system property, environment, file line, default")
    void sources() throws IOException {
        Path file = Files.writeString(dir.resolve("pvmm.properties"), "# lab\npvmm.compare.bugs=all\npvmm.guest.seed=9\n");

        CliRunner.Result r = new CliRunner(dir).systemProperties(Map.of("pvmm.guest.vcpus", "2"))
                .environment(Map.of("PVMM_COMPARE_BACKENDS", "native,fixture", "PVMM_GUEST_SEED", "4"))
                .run("config", "--backend", "fixture", "--set", "workload.pages=3");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains(
                "pvmm.backend = fixture    (--backend option)\n",
                "pvmm.workload.pages = 3    (--set option)\n",
                "pvmm.guest.vcpus = 2    (system property pvmm.guest.vcpus)\n",
                "pvmm.compare.backends = native,fixture    (environment PVMM_COMPARE_BACKENDS)\n",
                "pvmm.guest.seed = 4    (environment PVMM_GUEST_SEED)\n",
                "pvmm.compare.bugs = all    (pvmm.properties (" + file + ") line 2)\n",
                "pvmm.mode = two-level    (default)\n",
                "pvmm.backend.path =     (default)\n",
                "pvmm.fixture.level = 1    (default)\n");
        assertThat(r.out()).doesNotContain("shadows");
    }

    @Test
    @DisplayName("--all also lists, under each key, the values it shadows")
    void shadowed() throws IOException {
        Path file = Files.writeString(dir.resolve("pvmm.properties"), "pvmm.guest.seed=9\n");

        CliRunner.Result r = new CliRunner(dir).environment(Map.of("PVMM_GUEST_SEED", "4")).run("config", "--all");

        assertThat(r.out()).contains("pvmm.guest.seed = 4    (environment PVMM_GUEST_SEED)\n"
                + "    shadows 9    (pvmm.properties (" + file + ") line 1)\n"
                + "    shadows 1    (default)\n");
    }

    @Test
    @DisplayName("a bad --set is PVMM-E008 with a suggestion, exit 2")
    void badSet() {
        CliRunner.Result r = new CliRunner(dir).run("config", "--set", "compare.backend=native");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E008 unknown setting 'compare.backend' (from --set option).")
                .contains("Did you mean 'compare.backends'?");
    }
}
