package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.runtime.discovery.BackendDiscovery;
import io.pvmm.runtime.plugin.TestJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Third-party backend jars: pvmm backends check, and drop-in installation")
class BackendJarsTest {

    @TempDir
    Path dir;

    private Path acme(Path jar, String spiVersion, Map<String, String> extra) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>(Map.of(BackendDiscovery.SERVICE_FILE, "com.acme.AcmeProvider\n"));
        entries.putAll(extra);
        return TestJars.jar(dir, jar, Map.of("com/acme/AcmeProvider.java",
                TestJars.provider("com.acme", "AcmeProvider", "acme", "\"an acme backend\"", spiVersion)), entries);
    }

    @Test
    @DisplayName("a good jar passes every check, each reported ok, exit 0")
    void goodJar() throws IOException {
        acme(dir.resolve("acme.jar"), "1.0", Map.of());

        CliRunner.Result r = new CliRunner(dir).run("backends", "check", "acme.jar");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).startsWith("Checking " + dir.resolve("acme.jar") + "\n")
                .containsPattern("  ok +readable jar")
                .containsPattern("  ok +one provider registered +com.acme.AcmeProvider")
                .containsPattern("  ok +module-info agrees +no module-info")
                .containsPattern("  ok +no copy of the SPI classes")
                .containsPattern("  ok +provider constructs +'acme': an acme backend")
                .containsPattern("  ok +SPI version compatible +built against 1.0")
                .contains("backend 'acme' passed every check").doesNotContain("FAILED");
    }

    @Test
    @DisplayName("a module-info that provides another class than the service file names fails, PVMM-E032")
    void moduleInfoDisagrees() throws IOException {
        Path src = Files.createDirectories(dir.resolve("mod"));
        Files.writeString(src.resolve("module-info.java"), "module com.acme { requires io.pvmm.api; "
                + "provides io.pvmm.api.BackendProvider with com.acme.Other; }");
        Files.createDirectories(src.resolve("com/acme"));
        Files.writeString(src.resolve("com/acme/Other.java"), TestJars.provider("com.acme", "Other", "other", "\"x\"", "1.0"));
        Path out = Files.createDirectories(dir.resolve("mod-classes"));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", out.toString(), "--module-path",
                TestJars.spiLocation().toString(), src.resolve("module-info.java").toString(), src.resolve("com/acme/Other.java").toString());
        assertThat(rc).isZero();
        acme(dir.resolve("acme.jar"), "1.0", Map.of());
        Path jar = dir.resolve("mixed.jar");
        try (JarOutputStream o = new JarOutputStream(Files.newOutputStream(jar));
             java.util.jar.JarFile in = new java.util.jar.JarFile(dir.resolve("acme.jar").toFile())) {
            for (JarEntry e : java.util.Collections.list(in.entries())) {
                o.putNextEntry(new JarEntry(e.getName()));
                in.getInputStream(e).transferTo(o);
                o.closeEntry();
            }
            for (String name : List.of("module-info.class", "com/acme/Other.class")) {
                o.putNextEntry(new JarEntry(name));
                Files.copy(out.resolve(name), o);
                o.closeEntry();
            }
        }

        CliRunner.Result r = new CliRunner(dir).run("backends", "check", "mixed.jar");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).containsPattern("  FAILED +module-info agrees +module com.acme provides io.pvmm.api.BackendProvider with com.acme.Other, "
                + "the service file names com.acme.AcmeProvider");
        assertThat(r.err()).startsWith("PVMM-E032 " + jar + " failed 1 of the backend checks.");
    }

    @Test
    @DisplayName("a jar that bundles the SPI's classes fails its check, PVMM-E032")
    void bundledSpi() throws IOException {
        Path plain = acme(dir.resolve("plain.jar"), "1.0", Map.of());
        Path jar = dir.resolve("fat.jar");
        try (JarOutputStream o = new JarOutputStream(Files.newOutputStream(jar));
             java.util.jar.JarFile in = new java.util.jar.JarFile(plain.toFile())) {
            for (JarEntry e : java.util.Collections.list(in.entries())) {
                o.putNextEntry(new JarEntry(e.getName()));
                in.getInputStream(e).transferTo(o);
                o.closeEntry();
            }
            TestJars.copySpi(o);
        }

        CliRunner.Result r = new CliRunner(dir).run("backends", "check", "fat.jar");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).containsPattern("  FAILED +no copy of the SPI classes +the jar holds \\d+ classes of io.pvmm.api");
        assertThat(r.err()).startsWith("PVMM-E032").contains("failed: no copy of the SPI classes");
    }

    @Test
    @DisplayName("an incompatible SPI version is PVMM-E007, exit 3")
    void incompatibleSpi() throws IOException {
        acme(dir.resolve("old.jar"), "2.0", Map.of());

        CliRunner.Result r = new CliRunner(dir).run("backends", "check", "old.jar");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.out()).containsPattern("  FAILED +SPI version compatible +built against 2.0, this runtime's is 1.1");
        assertThat(r.err()).startsWith("PVMM-E007");
    }

    @Test
    @DisplayName("compare over every backend names where the backend list came from when one of them cannot run")
    void compareNamesTheListsSource() throws IOException {
        Path plugins = Files.createDirectory(dir.resolve("plugins"));
        acme(plugins.resolve("old.jar"), "2.0", Map.of());
        Files.writeString(dir.resolve("pvmm.properties"), "pvmm.compare.backends=all\n");

        CliRunner.Result r = new CliRunner(dir).run("compare", "--backend-path", plugins.toString(), "--workload", "boot");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).startsWith("PVMM-E007").contains("pvmm.properties").doesNotContain("--backends option");
    }

    @Test
    @DisplayName("a file that is not a backend jar is PVMM-E015: no jar, no service file, or a missing file")
    void notABackend() throws IOException {
        Files.writeString(dir.resolve("notes.jar"), "not a zip");
        TestJars.jar(dir, dir.resolve("lib.jar"), Map.of("com/acme/Util.java", "package com.acme; public class Util {}"), Map.of());

        for (String name : List.of("notes.jar", "lib.jar", "missing.jar")) {
            CliRunner.Result r = new CliRunner(dir).run("backends", "check", name);
            assertThat(r.exitCode()).as(name).isEqualTo(2);
            assertThat(r.err()).as(name).startsWith("PVMM-E015 " + dir.resolve(name) + " is not a backend jar.");
        }
        assertThat(new CliRunner(dir).run("backends", "check", "lib.jar").err()).contains("It registers no io.pvmm.api.BackendProvider");
    }

    @Test
    @DisplayName("two providers in one jar fail the one-provider check")
    void twoProviders() throws IOException {
        TestJars.jar(dir, dir.resolve("two.jar"), Map.of(
                "com/acme/A.java", TestJars.provider("com.acme", "A", "a", "\"a\"", "1.0"),
                "com/acme/B.java", TestJars.provider("com.acme", "B", "b", "\"b\"", "1.0")),
                Map.of(BackendDiscovery.SERVICE_FILE, "com.acme.A\ncom.acme.B\n"));

        CliRunner.Result r = new CliRunner(dir).run("backends", "check", "two.jar");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).containsPattern("  FAILED +one provider registered +2 providers: com.acme.A, com.acme.B");
    }

    @Test
    @DisplayName("a jar dropped into the distribution's backends/ shows in pvmm backends and runs in compare --backends all")
    void dropIn() throws IOException {
        Path home = dir.resolve("pvmm-home");
        Path backends = Files.createDirectories(home.resolve("backends"));
        acme(backends.resolve("acme.jar"), "1.0", Map.of());
        CliRunner cli = new CliRunner(dir).environment(Map.of("PVMM_HOME", home.toString()));

        CliRunner.Result listing = cli.run("backends");
        CliRunner.Result compare = cli.run("compare", "--backends", "all", "--workload", "fork-exit", "--set", "workload.processes=6");

        assertThat(listing.exitCode()).isZero();
        assertThat(listing.out()).contains("acme - an acme backend\n", "  loaded from    " + backends.resolve("acme.jar") + "\n",
                "  searched       " + backends + " (distribution (PVMM_HOME))");
        assertThat(compare.exitCode()).as(compare.out() + compare.err()).isZero();
        assertThat(compare.out()).containsPattern("\n +native +acme +fixture( +[a-z-]+)*\n")
                .containsPattern("  acme-calls +1 *\n")
                .containsPattern("  translations +reference( +AGREED){2,}\n");
    }

    @Test
    @DisplayName("--backend-path adds a directory of backends")
    void backendPathOption() throws IOException {
        Path extra = Files.createDirectories(dir.resolve("extra"));
        acme(extra.resolve("acme.jar"), "1.0", Map.of());

        CliRunner.Result r = new CliRunner(dir).run("backends", "--backend-path", "extra");

        assertThat(r.out()).contains("acme - an acme backend", "  searched       " + extra + " (--backend-path option)");
    }

    // ---- backends check loads the jar as a run would ---------------------------------------------

    @Test
    @DisplayName("a jar whose backend takes a name pvmm already finds fails the name check, naming the other jar")
    void nameTakenByABuiltIn() throws IOException {
        TestJars.jar(dir, dir.resolve("native.jar"), Map.of("com/acme/AcmeProvider.java",
                TestJars.provider("com.acme", "AcmeProvider", "native", "\"a second native\"", "1.0")),
                Map.of(BackendDiscovery.SERVICE_FILE, "com.acme.AcmeProvider\n"));

        CliRunner.Result r = new CliRunner(dir).run("backends", "check", "native.jar");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).containsPattern("  FAILED +name not taken +'native' is already io\\.pvmm\\.backend\\.nativ\\w*\\.\\w+ \\(/[^)]*\\): "
                + "with both installed, 'native' would be ambiguous \\(PVMM-E003\\)");
        assertThat(r.err()).startsWith("PVMM-E032");
    }

    @Test
    @DisplayName("a provider whose create() throws fails the boot check, with its cause")
    void createThrows() throws IOException {
        String source = TestJars.provider("com.acme", "AcmeProvider", "acme", "\"an acme backend\"", "1.0")
                .replace("  public ParavirtOps create(BackendContext c) {\n",
                        "  public ParavirtOps create(BackendContext c) {\n    if (c != null) throw new IllegalStateException(\"license file not found\");\n");
        TestJars.jar(dir, dir.resolve("acme.jar"), Map.of("com/acme/AcmeProvider.java", source),
                Map.of(BackendDiscovery.SERVICE_FILE, "com.acme.AcmeProvider\n"));

        CliRunner.Result r = new CliRunner(dir).run("backends", "check", "acme.jar");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).containsPattern("  ok +provider constructs")
                .containsPattern("  FAILED +creates and boots a guest +in two-level mode: .*license file not found");
        assertThat(new CliRunner(dir).run("backends", "check", acme(dir.resolve("good.jar"), "1.0", Map.of()).toString()).out())
                .containsPattern("  ok +creates and boots a guest +a 16 MiB guest booted and shut down in two-level and pae mode");
    }

    @Test
    @DisplayName("a module-info that provides the backend without a service file fails, as backends/ jars are read on the class path")
    void providesWithoutServiceFile() throws IOException {
        Path src = Files.createDirectories(dir.resolve("mod/com/acme"));
        Files.writeString(dir.resolve("mod/module-info.java"), "module com.acme { requires io.pvmm.api; "
                + "provides io.pvmm.api.BackendProvider with com.acme.AcmeProvider; }");
        Files.writeString(src.resolve("AcmeProvider.java"), TestJars.provider("com.acme", "AcmeProvider", "acme", "\"x\"", "1.0"));
        Path out = Files.createDirectories(dir.resolve("mod-classes"));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", out.toString(), "--module-path",
                TestJars.spiLocation().toString(), dir.resolve("mod/module-info.java").toString(), src.resolve("AcmeProvider.java").toString());
        assertThat(rc).isZero();
        Path jar = dir.resolve("modular.jar");
        try (JarOutputStream o = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String name : List.of("module-info.class", "com/acme/AcmeProvider.class")) {
                o.putNextEntry(new JarEntry(name));
                Files.copy(out.resolve(name), o);
                o.closeEntry();
            }
        }
        Path backends = Files.createDirectories(dir.resolve("backends"));
        Files.copy(jar, backends.resolve("modular.jar"));

        CliRunner.Result check = new CliRunner(dir).run("backends", "check", "modular.jar");
        CliRunner.Result listing = new CliRunner(dir).run("backends", "--backend-path", "backends");

        assertThat(check.exitCode()).isEqualTo(2);
        assertThat(check.out()).containsPattern("  FAILED +one provider registered +module-info provides io.pvmm.api.BackendProvider "
                + "with com.acme.AcmeProvider, but there is no META-INF/services/io.pvmm.api.BackendProvider");
        assertThat(check.err()).startsWith("PVMM-E032");
        assertThat(listing.err()).contains("warning: PVMM-E037 " + backends.resolve("modular.jar")
                + " on the backend path registers no backend provider", "Its module-info provides io.pvmm.api.BackendProvider with com.acme.AcmeProvider");
    }

    @Test
    @DisplayName("two installed jars with one name make only that name ambiguous: the listing says so naming both, other backends still run")
    void clashIsolated() throws IOException {
        Path backends = Files.createDirectories(dir.resolve("backends"));
        acme(backends.resolve("acme-1.jar"), "1.0", Map.of());
        acme(backends.resolve("acme-2.jar"), "1.0", Map.of());
        CliRunner cli = new CliRunner(dir);

        CliRunner.Result listing = cli.run("backends", "--backend-path", "backends");
        CliRunner.Result acme = cli.run("run", "--backend-path", "backends", "--backend", "acme", "--workload", "boot", "-q");
        CliRunner.Result nativeRun = cli.run("run", "--backend-path", "backends", "--backend", "native", "--workload", "boot", "-q");

        assertThat(listing.exitCode()).isEqualTo(3);
        assertThat(listing.out()).contains("native - ", "acme - an acme backend");
        assertThat(listing.err()).contains("error: PVMM-E003 more than one backend provider is named 'acme'.",
                "- com.acme.AcmeProvider (" + backends.resolve("acme-1.jar") + ")", "- com.acme.AcmeProvider (" + backends.resolve("acme-2.jar") + ")");
        assertThat(acme.exitCode()).isEqualTo(3);
        assertThat(acme.err()).startsWith("PVMM-E003");
        assertThat(nativeRun.exitCode()).as(nativeRun.out() + nativeRun.err()).isZero();
    }

    // ---- the backend path's bad entries ----------------------------------------------------------

    @Test
    @DisplayName("each bad backend path entry is a coded warning, and pvmm backends says exactly what is wrong with each")
    void badPathEntries() throws IOException {
        Path good = acme(dir.resolve("acme.jar"), "1.0", Map.of());
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(plugins.resolve("corrupt.jar"), "not a zip");
        Files.write(plugins.resolve("empty.jar"), new byte[] {0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        Files.writeString(plugins.resolve("acme.zip"), "a zip of a jar");
        TestJars.jar(dir, plugins.resolve("lib.jar"), Map.of("com/acme/Util.java", "package com.acme; public class Util {}"), Map.of());
        String path = String.join(java.io.File.pathSeparator, "missing", good.toString(), "plugins");

        CliRunner.Result r = new CliRunner(dir).run("backends", "--backend-path", path);

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.err()).contains(
                "warning: PVMM-E033 backend path directory " + dir.resolve("missing") + " does not exist",
                "warning: PVMM-E034 backend path entry " + good + " is a jar, not a directory",
                "name the jar's directory, " + dir + ", or copy the jar into a directory of the path",
                "warning: PVMM-E035 " + plugins.resolve("corrupt.jar") + " on the backend path is not a readable jar: it cannot be read as a jar",
                "warning: PVMM-E035 " + plugins.resolve("empty.jar") + " on the backend path is not a readable jar: it is an empty zip, with no entries",
                "warning: PVMM-E036 " + plugins.resolve("acme.zip") + " on the backend path is not a jar",
                "warning: PVMM-E037 " + plugins.resolve("lib.jar") + " on the backend path registers no backend provider");
        assertThat(r.out()).contains(dir.resolve("missing") + " (--backend-path option; does not exist)",
                good + " (--backend-path option; a jar, not a directory)", plugins + " (--backend-path option)");
    }

    @Test
    @DisplayName("the unknown-backend error that follows a bad backend path names the jars that were not loaded")
    void unknownBackendNamesWhatWasNotLoaded() throws IOException {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(plugins.resolve("acme.jar"), "not a zip");

        CliRunner.Result r = new CliRunner(dir).run("run", "--backend-path", "plugins", "--backend", "acme", "--workload", "boot");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).contains("warning: PVMM-E035 ", "\nPVMM-E002 unknown backend 'acme'")
                .contains("Not loaded from the backend path: PVMM-E035 " + plugins.resolve("acme.jar") + " on the backend path is not a readable jar");
    }
}
