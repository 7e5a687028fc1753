package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.cli.fixtures.FixtureProvider;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import io.pvmm.runtime.discovery.ProviderFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("pvmm backends")
class BackendsCommandTest {

    @TempDir
    Path dir;

    private CliRunner cli() {
        return new CliRunner(dir);
    }

    @Test
    @DisplayName("lists every discovered backend with its modes, platform, SPI version, settings and jar")
    void listsBackends() {
        CliRunner.Result r = cli().run("backends");

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEmpty();
        // the fixture and native at least; whatever else the test class path holds (vmi, xen) may follow
        assertThat(r.out()).containsPattern("^\\d+ backends discovered:\n")
                .contains("native - bare hardware: lifecycle hooks are no-ops, page-table writes store the value\n"
                        + "  paging modes   two-level, pae\n"
                        + "  platform       two-level: none; pae: none\n"
                        + "  SPI version    1.1\n"
                        + "  settings       none\n")
                .contains("fixture - a test backend\n"
                        + "  paging modes   two-level\n"
                        + "  platform       two-level: no PSE, top 64 MiB reserved (from 0xFC000000)\n"
                        + "  SPI version    1.1\n"
                        + "  settings       pvmm.fixture.level  long, default 1  how much to do\n")
                .containsPattern("loaded from    \\S*backend-native\\S*\n  provider       io.pvmm.backend.nativeops.NativeProvider");
        assertThat(r.out().indexOf("fixture - ")).isLessThan(r.out().indexOf("native - "));
    }

    @Test
    @DisplayName("warns about a provider that failed to load, and still lists the others")
    void warnsAboutLoadFailures() {
        PvmmRuntime runtime = PvmmRuntime.of(BackendRegistry.of(
                List.of(DiscoveredBackend.describe(new FixtureProvider(), "/lib/fixture.jar")),
                List.of(new ProviderFailure("com.acme.BrokenProvider", "/backends/acme.jar", new IllegalStateException("boom"))),
                "test"));

        CliRunner.Result r = cli().runtime(() -> runtime).run("backends");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("fixture - a test backend");
        assertThat(r.err()).startsWith("warning: PVMM-E004 backend provider com.acme.BrokenProvider could not be loaded "
                + "(from /backends/acme.jar).\n  Cause: java.lang.IllegalStateException: boom");
    }

    @Test
    @DisplayName("with no backend at all, says how to install one and exits 3")
    void noBackends() {
        CliRunner.Result r = cli().runtime(() -> PvmmRuntime.of(BackendRegistry.of(List.of(), List.of(), "nowhere"))).run("backends");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.out()).startsWith("0 backends discovered:");
        assertThat(r.err()).startsWith("PVMM-E001 no backend provider found.").contains("Searched: nowhere.", "Install a backend");
    }

    @Test
    @DisplayName("two providers with one name are listed, then the clash is an error line, PVMM-E003 naming both jars, exit code 3")
    void duplicateNames() {
        PvmmRuntime runtime = PvmmRuntime.of(BackendRegistry.of(List.of(
                DiscoveredBackend.describe(new FixtureProvider(), "/lib/fixture-1.jar"),
                DiscoveredBackend.describe(new FixtureProvider(), "/backends/fixture-2.jar")), List.of(), "test"));

        CliRunner.Result r = cli().runtime(() -> runtime).run("backends");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.out()).contains("/lib/fixture-1.jar", "/backends/fixture-2.jar");
        assertThat(r.err()).startsWith("error: PVMM-E003").contains("/lib/fixture-1.jar", "/backends/fixture-2.jar");
    }

    @Test
    @DisplayName("--explain with nothing configured selects native by default")
    void explainDefault() {
        CliRunner.Result r = cli().run("backends", "--explain");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Selected by the current configuration:\n")
                .containsPattern("  backend        native \\(from default\\) -> \\S*backend-native\\S*\n")
                .contains("  shadowed       nothing\n",
                        "  paging mode    two-level (from default); native supports it (supports: two-level, pae)\n",
                        "  config file    " + dir.resolve("pvmm.properties") + " (not present; optional)\n");
    }

    @Test
    @DisplayName("--explain: the --backend option decides over every other source")
    void explainCliDecides() throws IOException {
        Files.writeString(dir.resolve("pvmm.properties"), "pvmm.backend=native\n");
        CliRunner.Result r = cli().systemProperties(Map.of("pvmm.backend", "native")).environment(Map.of("PVMM_BACKEND", "native"))
                .run("backends", "--explain", "--backend", "fixture");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("  backend        fixture (from --backend option)", "  shadowed       native (from system property pvmm.backend), "
                + "native (from environment PVMM_BACKEND), native (from pvmm.properties (" + dir.resolve("pvmm.properties")
                + ") line 1), native (from default)");
    }

    @Test
    @DisplayName("--explain: a -D option decides over the environment, the file and the default, before or after the command")
    void explainDashDDecides() {
        CliRunner runner = cli().environment(Map.of("PVMM_BACKEND", "native"));

        for (CliRunner.Result r : List.of(runner.run("-Dpvmm.backend=fixture", "backends", "--explain"),
                runner.run("backends", "--explain", "-Dpvmm.backend=fixture"))) {
            assertThat(r.exitCode()).isZero();
            assertThat(r.out()).contains("  backend        fixture (from system property pvmm.backend)",
                    "  shadowed       native (from environment PVMM_BACKEND), native (from default)");
        }
        assertThat(System.getProperty("pvmm.backend")).isNull();
    }

    @Test
    @DisplayName("--explain: a system property decides over the environment")
    void explainSystemPropertyDecides() {
        CliRunner.Result r = cli().systemProperties(Map.of("pvmm.backend", "fixture"))
                .environment(Map.of("PVMM_BACKEND", "native")).run("backends", "--explain");

        assertThat(r.out()).contains("  backend        fixture (from system property pvmm.backend)");
    }

    @Test
    @DisplayName("--explain: the environment decides over the file")
    void explainEnvironmentDecides() throws IOException {
        Files.writeString(dir.resolve("pvmm.properties"), "pvmm.backend=native\n");
        CliRunner.Result r = cli().environment(Map.of("PVMM_BACKEND", "fixture")).run("backends", "--explain");

        assertThat(r.out()).contains("  backend        fixture (from environment PVMM_BACKEND)");
    }

    @Test
    @DisplayName("--explain: the file decides over the default, and its settings are shown with their lines")
    void explainFileDecides() throws IOException {
        Path file = Files.writeString(dir.resolve("pvmm.properties"), "# chosen backend\npvmm.backend=fixture\npvmm.fixture.level=3\n");
        CliRunner.Result r = cli().run("backends", "--explain");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("  backend        fixture (from pvmm.properties (" + file + ") line 2)",
                "  settings       pvmm.fixture.level = 3 (from pvmm.properties (" + file + ") line 3)",
                "  config file    " + file + " (read; named by default)");
    }

    @Test
    @DisplayName("--explain: an unknown backend from -D is PVMM-E002 listing the discovered backends, exit code 3")
    void explainUnknownBackendFromProperty() {
        CliRunner.Result r = cli().run("-Dpvmm.backend=bogus", "backends", "--explain");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).startsWith("PVMM-E002 unknown backend 'bogus' (from system property pvmm.backend).\n")
                .containsPattern("  Discovered: fixture \\(\\S+\\), native \\(\\S*backend-native\\S*\\)(, [a-z-]+ \\(\\S+\\))*\\.\n")
                .endsWith("  See docs/errors.md#pvmm-e002, or run: pvmm explain PVMM-E002\n");
    }

    @Test
    @DisplayName("--explain: an unknown backend from the environment is PVMM-E002 with a suggestion, exit code 3")
    void explainUnknownBackendFromEnvironment() {
        CliRunner.Result r = cli().environment(Map.of("PVMM_BACKEND", "natvie")).run("backends", "--explain");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).startsWith("PVMM-E002 unknown backend 'natvie' (from environment PVMM_BACKEND).")
                .contains("Did you mean 'native'?");
    }

    @Test
    @DisplayName("--explain: a mode the backend lacks is PVMM-E006 saying which it supports, exit code 3")
    void explainUnsupportedMode() {
        CliRunner.Result r = cli().run("backends", "--explain", "--backend", "fixture", "--mode", "pae");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).startsWith("PVMM-E006 backend 'fixture' does not support paging mode 'pae' (from --mode option).")
                .contains("It supports: two-level.");
    }

    @Test
    @DisplayName("--explain: an unknown --set key is a usage error, exit code 2, with its did-you-mean")
    void explainUnknownSetting() {
        CliRunner.Result r = cli().run("backends", "--explain", "--set", "fixture.levle=2");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E008 unknown setting 'fixture.levle' (from --set option).")
                .contains("Accepted: fixture.level.", "Did you mean 'fixture.level'?");
    }

    @Test
    @DisplayName("--explain: an unknown PVMM_ variable is a usage error, exit code 2")
    void explainUnknownEnvironmentVariable() {
        CliRunner.Result r = cli().environment(Map.of("PVMM_BAKEND", "native")).run("backends", "--explain");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("PVMM-E008 unknown setting 'PVMM_BAKEND'", "Did you mean 'PVMM_BACKEND'?");
    }

    @Test
    @DisplayName("--explain: an invalid setting value is a usage error, exit code 2")
    void explainInvalidSettingValue() {
        CliRunner.Result r = cli().run("backends", "--explain", "--backend", "fixture", "--set", "fixture.level=high");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E009 invalid value 'high' for setting 'fixture.level' (from --set option).");
    }

    @Test
    @DisplayName("--explain: a missing --config file is a usage error, exit code 2")
    void explainMissingConfigFile() {
        CliRunner.Result r = cli().run("backends", "--explain", "--config", "missing.properties");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E010 configuration file " + dir.resolve("missing.properties"));
    }
}
