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
}
