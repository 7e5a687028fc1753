package io.pvmm.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.PagingMode;
import io.pvmm.api.SettingSpec;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("Reading configuration from every source")
class ConfigurationReaderTest {

    private static final SettingNamespace ALPHA = new SettingNamespace("alpha", List.of(
            SettingSpec.longValue("depth", 4, "how deep"),
            SettingSpec.choice("queue-mode", "fifo", "queue order", "fifo", "lifo")));
    private static final SettingNamespace GUEST = new SettingNamespace("guest", List.of(
            SettingSpec.longValue("memory-mib", 64, "guest memory")));
    private static final KeyCatalog CATALOG = KeyCatalog.of(RuntimeKeys.specs(), List.of(GUEST), List.of(ALPHA));

    @TempDir
    Path dir;

    private Configuration read(ConfigInputs inputs) {
        return ConfigurationReader.read(inputs, CATALOG);
    }

    private ConfigInputs inputs() {
        return ConfigInputs.none(dir);
    }

    private Path file(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    private static PvmmException failure(ThrowingCallable call) {
        try {
            call.call();
        } catch (PvmmException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected a PvmmException", t);
        }
        throw new AssertionError("expected a PvmmException, nothing was thrown");
    }

    @ParameterizedTest(name = "{0} decides")
    @EnumSource(SourceKind.class)
    @DisplayName("each source overrides every source below it, and the ones below are kept in order")
    void precedence(SourceKind top) throws IOException {
        ConfigInputs in = inputs();
        if (top.compareTo(SourceKind.FILE) <= 0) {
            file("pvmm.properties", "pvmm.backend=from-file");
        }
        if (top.compareTo(SourceKind.ENVIRONMENT) <= 0) {
            in = in.withEnvironment(Map.of("PVMM_BACKEND", "from-environment"));
        }
        if (top.compareTo(SourceKind.SYSTEM_PROPERTY) <= 0) {
            in = in.withSystemProperties(Map.of("pvmm.backend", "from-property"));
        }
        if (top == SourceKind.CLI) {
            in = in.withOption(RuntimeKeys.BACKEND, "from-cli", "--backend");
        }

        Configuration config = read(in);

        List<SourceKind> expectedKinds = Arrays.stream(SourceKind.values()).filter(k -> k.compareTo(top) >= 0).toList();
        assertThat(config.candidates(RuntimeKeys.BACKEND)).extracting(v -> v.source().kind()).containsExactlyElementsOf(expectedKinds);
        assertThat(config.backend().source().kind()).isEqualTo(top);
        assertThat(config.backend().value()).isEqualTo(switch (top) {
            case CLI -> "from-cli";
            case SYSTEM_PROPERTY -> "from-property";
            case ENVIRONMENT -> "from-environment";
            case FILE -> "from-file";
            case DEFAULT -> "native";
        });
    }

    @Test
    @DisplayName("every value remembers its source in the words messages use")
    void sourceDescriptions() throws IOException {
        Path file = file("pvmm.properties", "# comment", "", "pvmm.mode=pae");
        Configuration config = read(inputs()
                .withOption(RuntimeKeys.BACKEND, "a", "--backend")
                .withOption("alpha.depth", "7", "--set")
                .withSystemProperties(Map.of("pvmm.backend", "b"))
                .withEnvironment(Map.of("PVMM_BACKEND", "c")));

        assertThat(config.candidates(RuntimeKeys.BACKEND)).extracting(v -> v.source().description())
                .containsExactly("--backend option", "system property pvmm.backend", "environment PVMM_BACKEND", "default");
        assertThat(config.get(RuntimeKeys.MODE).source().description()).isEqualTo("pvmm.properties (" + file + ") line 3");
        assertThat(config.get("alpha.depth").describe()).isEqualTo("7 (from --set option)");
        assertThat(config.mode()).isEqualTo(PagingMode.PAE);
        assertThat(config.file()).isEqualTo(new ConfigFile(file, ConfigSource.DEFAULT, true));
    }

    @Test
    @DisplayName("an environment variable names a key upper-cased, with dots and dashes as underscores")
    void environmentNames() {
        Configuration config = read(inputs().withEnvironment(Map.of("PVMM_ALPHA_QUEUE_MODE", "lifo", "PVMM_MODE", "pae")));

        assertThat(config.namespace("alpha")).containsOnlyKeys("queue-mode");
        assertThat(config.get("alpha.queue-mode").value()).isEqualTo("lifo");
        assertThat(config.mode()).isEqualTo(PagingMode.PAE);
    }

    @Test
    @DisplayName("an unknown system property pvmm.* is PVMM-E008 with a suggestion spelt as a property")
    void unknownSystemProperty() {
        PvmmException e = failure(() -> read(inputs().withSystemProperties(Map.of("pvmm.bakend", "xen"))));

        assertThat(e.error()).isEqualTo(PvmmError.UNKNOWN_SETTING);
        assertThat(e.getMessage()).startsWith("PVMM-E008 unknown setting 'pvmm.bakend' (from system property pvmm.bakend).")
                .contains("Did you mean 'pvmm.backend'?");
    }

    @Test
    @DisplayName("an unknown PVMM_* environment variable is PVMM-E008 with a suggestion spelt as a variable")
    void unknownEnvironmentVariable() {
        PvmmException e = failure(() -> read(inputs().withEnvironment(Map.of("PVMM_BAKEND", "xen"))));

        assertThat(e.error()).isEqualTo(PvmmError.UNKNOWN_SETTING);
        assertThat(e.getMessage()).contains("(from environment PVMM_BAKEND)", "Did you mean 'PVMM_BACKEND'?");
    }

    @Test
    @DisplayName("an unknown key in the file is PVMM-E008 naming the file and line")
    void unknownFileKey() throws IOException {
        Path file = file("pvmm.properties", "pvmm.backend=native", "pvmm.mdoe=pae");

        PvmmException e = failure(() -> read(inputs()));

        assertThat(e.error()).isEqualTo(PvmmError.UNKNOWN_SETTING);
        assertThat(e.getMessage()).contains("'pvmm.mdoe' (from pvmm.properties (" + file + ") line 2)", "Did you mean 'pvmm.mode'?");
    }

    @Test
    @DisplayName("a file key without the pvmm. prefix is PVMM-E008 suggesting the prefixed key")
    void fileKeyWithoutPrefix() throws IOException {
        file("pvmm.properties", "backend=native");

        assertThat(failure(() -> read(inputs())).getMessage()).contains("unknown setting 'backend'", "Did you mean 'pvmm.backend'?");
    }

    @Test
    @DisplayName("an unknown --set key is PVMM-E008 listing the namespace's keys and the closest one")
    void unknownOptionKey() {
        PvmmException e = failure(() -> read(inputs().withOption("alpha.dpeth", "3", "--set")));

        assertThat(e.getMessage()).startsWith("PVMM-E008 unknown setting 'alpha.dpeth' (from --set option).")
                .contains("Accepted: alpha.depth, alpha.queue-mode.", "Did you mean 'alpha.depth'?");
    }

    @Test
    @DisplayName("a key under a namespace that declares no settings says so")
    void keyUnderEmptyNamespace() {
        KeyCatalog catalog = KeyCatalog.of(RuntimeKeys.specs(), List.of(), List.of(new SettingNamespace("native", List.of())));

        PvmmException e = failure(() -> ConfigurationReader.read(inputs().withOption("native.depth", "3", "--set"), catalog));

        assertThat(e.getMessage()).contains("Accepted: no key under native.*, because native declares no settings.");
    }

    @Test
    @DisplayName("the launcher's own variables, pvmm.paravirt and properties outside pvmm.* are not settings")
    void ignoredNames() {
        Configuration config = read(inputs()
                .withEnvironment(Map.of("PVMM_HOME", "/opt/pvmm", "PVMM_OPTS", "-Xmx1g", "PATH", "/bin"))
                .withSystemProperties(Map.of("pvmm.paravirt", "false", "java.version", "17", "pvmmx", "1")));

        assertThat(config.backend().source()).isEqualTo(ConfigSource.DEFAULT);
    }

    @Test
    @DisplayName("a missing file named by --config is PVMM-E010 naming the path and the option")
    void missingExplicitFile() {
        PvmmException e = failure(() -> read(inputs().withOption(RuntimeKeys.CONFIG, "nowhere.properties", "--config")));

        assertThat(e.error()).isEqualTo(PvmmError.CONFIG_FILE_UNREADABLE);
        assertThat(e.getMessage()).startsWith("PVMM-E010 configuration file " + dir.resolve("nowhere.properties")
                + " cannot be used (from --config option).").contains("No such file.");
    }

    @Test
    @DisplayName("a missing ./pvmm.properties is fine")
    void missingDefaultFile() {
        Configuration config = read(inputs());

        assertThat(config.file().present()).isFalse();
        assertThat(config.file().path()).isEqualTo(dir.resolve("pvmm.properties"));
    }

    @Test
    @DisplayName("the file can be named by PVMM_CONFIG or pvmm.config, relative to the working directory")
    void fileNamedByEnvironmentOrProperty() throws IOException {
        file("env.properties", "pvmm.backend=from-env-file");
        file("prop.properties", "pvmm.backend=from-prop-file");

        Configuration byEnv = read(inputs().withEnvironment(Map.of("PVMM_CONFIG", "env.properties")));
        Configuration byProperty = read(inputs().withEnvironment(Map.of("PVMM_CONFIG", "env.properties"))
                .withSystemProperties(Map.of("pvmm.config", "prop.properties")));

        assertThat(byEnv.backend().value()).isEqualTo("from-env-file");
        assertThat(byEnv.file().namedBy().description()).isEqualTo("environment PVMM_CONFIG");
        assertThat(byProperty.backend().value()).isEqualTo("from-prop-file");
    }

    @Test
    @DisplayName("a line the properties format cannot parse is PVMM-E010 naming the line")
    void malformedLine() throws IOException {
        file("pvmm.properties", "pvmm.backend=native", "pvmm.mode=\\u00zz");

        PvmmException e = failure(() -> read(inputs()));

        assertThat(e.error()).isEqualTo(PvmmError.CONFIG_FILE_UNREADABLE);
        assertThat(e.getMessage()).contains("Line 2 cannot be parsed");
    }

    @Test
    @DisplayName("a file that is not UTF-8 is PVMM-E010")
    void notUtf8() throws IOException {
        Files.write(dir.resolve("pvmm.properties"), new byte[] {'p', 'v', (byte) 0xC3, (byte) 0x28, '\n'});

        assertThat(failure(() -> read(inputs())).getMessage()).contains("not valid UTF-8");
    }

    @Test
    @DisplayName("a file cannot name another file: pvmm.config inside it is PVMM-E010")
    void fileCannotSetConfig() throws IOException {
        file("pvmm.properties", "pvmm.config=other.properties");

        PvmmException e = failure(() -> read(inputs()));

        assertThat(e.error()).isEqualTo(PvmmError.CONFIG_FILE_UNREADABLE);
        assertThat(e.getMessage()).contains("Line 1 sets pvmm.config");
    }

    @Test
    @DisplayName("a key written twice in the file counts once, the last line winning")
    void lastLineWins() throws IOException {
        Path file = file("pvmm.properties", "pvmm.backend=first", "pvmm.backend=second");

        ConfigValue backend = read(inputs()).backend();

        assertThat(backend.value()).isEqualTo("second");
        assertThat(backend.source().description()).isEqualTo("pvmm.properties (" + file + ") line 2");
    }

    @Test
    @DisplayName("a continued line is read whole, and counted from the line it starts on")
    void continuationLines() throws IOException {
        file("pvmm.properties", "# settings", "pvmm.backend=nat\\", "    ive", "pvmm.mode=pae");

        Configuration config = read(inputs());

        assertThat(config.backend().value()).isEqualTo("native");
        assertThat(config.backend().source().description()).endsWith("line 2");
        assertThat(config.get(RuntimeKeys.MODE).source().description()).endsWith("line 4");
    }

    @Test
    @DisplayName("an invalid paging mode is PVMM-E009 naming the source and the accepted values")
    void invalidMode() {
        PvmmException e = failure(() -> read(inputs().withEnvironment(Map.of("PVMM_MODE", "pea"))));

        assertThat(e.error()).isEqualTo(PvmmError.INVALID_SETTING_VALUE);
        assertThat(e.getMessage()).startsWith("PVMM-E009 invalid value 'pea' for setting 'mode' (from environment PVMM_MODE).")
                .contains("'pea' is not one of two-level, pae");
    }

    @Test
    @DisplayName("a registered namespace's values are checked on reading; a backend's only when it is selected")
    void namespaceChecks() {
        PvmmException e = failure(() -> read(inputs().withOption("guest.memory-mib", "lots", "--set")));
        assertThat(e.error()).isEqualTo(PvmmError.INVALID_SETTING_VALUE);
        assertThat(e.getMessage()).contains("'lots' is not an integer");

        Configuration config = read(inputs().withOption("alpha.depth", "deep", "--set"));
        assertThat(config.get("alpha.depth").value()).isEqualTo("deep");
        assertThatThrownBy(() -> config.settings("alpha", ALPHA.specs())).isInstanceOfSatisfying(PvmmException.class,
                ex -> assertThat(ex.getMessage()).contains("invalid value 'deep' for setting 'alpha.depth' (from --set option)"));
    }

    @Test
    @DisplayName("a registered namespace's settings come with defaults applied")
    void namespaceSettings() {
        Configuration config = read(inputs());
        Configuration set = read(inputs().withSystemProperties(Map.of("pvmm.guest.memory-mib", "0x100")));

        assertThat(config.settings("guest").getLong("memory-mib")).isEqualTo(64);
        assertThat(set.settings("guest").getLong("memory-mib")).isEqualTo(256);
    }
}
