package io.pvmm.runtime.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import io.pvmm.api.BackendProvider;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.discovery.BackendDiscovery;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A backend's own class loader")
class PluginClassLoaderTest {

    /** A copy of a class pvmm's own class path holds too (Guice), which says which copy it is. */
    private static final String CONFLICTING_GUICE = "package com.google.inject;\n"
            + "public final class Guice { public static String whose() { return \"the backend's own Guice\"; } }\n";

    @TempDir
    Path dir;

    private Path acmeJar(Path jar) throws Exception {
        return TestJars.jar(dir, jar, Map.of(
                "com/acme/AcmeProvider.java", TestJars.provider("com.acme", "AcmeProvider", "acme",
                        "com.google.inject.Guice.whose()", "1.0"),
                "com/google/inject/Guice.java", CONFLICTING_GUICE),
                Map.of(BackendDiscovery.SERVICE_FILE, "com.acme.AcmeProvider\n"));
    }

    @Test
    @DisplayName("the provider sees its own copy of a library pvmm also has, and pvmm keeps its own")
    void childFirstForLibraries() throws Exception {
        Path jar = acmeJar(dir.resolve("acme.jar"));
        try (PluginClassLoader loader = new PluginClassLoader(jar.toString(), BackendPath.urls(List.of(jar)))) {
            Class<?> theirs = loader.loadClass("com.google.inject.Guice");
            BackendProvider provider = (BackendProvider) loader.loadClass("com.acme.AcmeProvider").getConstructor().newInstance();

            assertThat(theirs).isNotSameAs(Guice.class);
            assertThat(theirs.getClassLoader()).isSameAs(loader);
            assertThat(provider.description()).isEqualTo("the backend's own Guice");
            assertThat(Guice.class.getClassLoader()).isNotSameAs(loader);
        }
    }

    @Test
    @DisplayName("the SPI is shared: the backend's BackendProvider is pvmm's, even when the jar bundles a copy")
    void spiShared() throws Exception {
        Path plain = acmeJar(dir.resolve("plain.jar"));
        Path jar = dir.resolve("acme.jar");
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
             java.util.jar.JarFile in = new java.util.jar.JarFile(plain.toFile())) {
            for (java.util.jar.JarEntry e : java.util.Collections.list(in.entries())) {
                out.putNextEntry(new java.util.jar.JarEntry(e.getName()));
                in.getInputStream(e).transferTo(out);
                out.closeEntry();
            }
            TestJars.copySpi(out);
        }
        try (PluginClassLoader loader = new PluginClassLoader(jar.toString(), BackendPath.urls(List.of(jar)))) {
            assertThat(loader.loadClass(BackendProvider.class.getName())).isSameAs(BackendProvider.class);
            assertThat(loader.loadClass("com.acme.AcmeProvider").getConstructor().newInstance()).isInstanceOf(BackendProvider.class);
            assertThat(loader.getResource("io/pvmm/api/BackendProvider.class"))
                    .isEqualTo(BackendProvider.class.getClassLoader().getResource("io/pvmm/api/BackendProvider.class"));
        }
    }

    @Test
    @DisplayName("nothing else of pvmm's class path is visible: the parent is the platform class loader")
    void applicationClassPathHidden() throws Exception {
        Path jar = acmeJar(dir.resolve("acme.jar"));
        try (PluginClassLoader loader = new PluginClassLoader(jar.toString(), BackendPath.urls(List.of(jar)))) {
            assertThat(loader.getParent()).isSameAs(ClassLoader.getPlatformClassLoader());
            assertThat(loader.loadClass("java.util.List")).isSameAs(List.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> loader.loadClass(PvmmRuntime.class.getName()))
                    .isInstanceOf(ClassNotFoundException.class);
        }
    }

    @Test
    @DisplayName("a jar in backends/ and a sub-directory of jars are each discovered in a loader of their own")
    void discoversThePath() throws Exception {
        Path home = dir.resolve("pvmm");
        Path backends = Files.createDirectories(home.resolve("backends"));
        acmeJar(backends.resolve("acme.jar"));
        Path beta = Files.createDirectories(dir.resolve("extra/beta"));
        TestJars.jar(dir, beta.resolve("beta.jar"), Map.of("org/beta/BetaProvider.java",
                TestJars.provider("org.beta", "BetaProvider", "beta", "\"beta\"", "1.0")),
                Map.of(BackendDiscovery.SERVICE_FILE, "org.beta.BetaProvider\n"));
        ConfigInputs inputs = ConfigInputs.none(dir).withEnvironment(Map.of("PVMM_HOME", home.toString()))
                .withOption("backend.path", "extra", "--backend-path");

        BackendPath path = BackendPath.resolve(inputs);
        PvmmRuntime runtime = PluginDiscovery.discover(path);

        assertThat(path.describe()).isEqualTo(backends + " (distribution (PVMM_HOME)), " + dir.resolve("extra") + " (--backend-path option)");
        assertThat(path.scan()).extracting(BackendPath.Plugin::location).containsExactly(backends.resolve("acme.jar"), beta);
        DiscoveredBackend acme = runtime.registry().find("acme").orElseThrow();
        DiscoveredBackend b = runtime.registry().find("beta").orElseThrow();
        assertThat(acme.location()).isEqualTo(backends.resolve("acme.jar").toString());
        assertThat(b.location()).isEqualTo(beta.resolve("beta.jar").toString());
        assertThat(acme.provider().getClass().getClassLoader()).isInstanceOf(PluginClassLoader.class)
                .isNotSameAs(b.provider().getClass().getClassLoader());
        assertThat(runtime.registry().find("native")).isPresent();
    }

    @Test
    @DisplayName("the backend path comes from the system property, the environment or the file, like every key")
    void pathSources() throws Exception {
        Files.writeString(dir.resolve("pvmm.properties"), "pvmm.backend.path=from-file\n");
        ConfigInputs none = ConfigInputs.none(dir);

        assertThat(BackendPath.resolve(none).directories()).extracting(BackendPath.Directory::source)
                .containsExactly("pvmm.properties (" + dir.resolve("pvmm.properties") + ") line 1");
        assertThat(BackendPath.resolve(none.withEnvironment(Map.of("PVMM_BACKEND_PATH", "env"))).directories())
                .containsExactly(new BackendPath.Directory(dir.resolve("env"), "environment PVMM_BACKEND_PATH"));
        assertThat(BackendPath.resolve(none.withSystemProperties(Map.of("pvmm.backend.path", "a" + java.io.File.pathSeparator + "b"))
                .withEnvironment(Map.of("PVMM_BACKEND_PATH", "env"))).directories())
                .extracting(BackendPath.Directory::path).containsExactly(dir.resolve("a"), dir.resolve("b"));
    }
}
