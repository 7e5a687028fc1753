package io.pvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendProvider;
import java.io.File;
import java.io.IOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in backends are found the two ways a JVM can find them: on the class path through
 * {@code META-INF/services}, and on the module path through {@code provides} in their
 * {@code module-info}. The module path is checked in a child JVM (the same {@code java}), running a
 * probe module compiled here that {@code uses} the SPI and prints what {@link java.util.ServiceLoader}
 * finds.
 */
@DisplayName("discovery: class path and module path")
class DiscoveryTest {

    private static final long CHILD_TIMEOUT_SECONDS = 60;
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

    @TempDir
    static Path probe;

    @BeforeAll
    static void compileTheProbe() throws IOException {
        Path src = Files.createDirectories(probe.resolve("src/probe"));
        Files.writeString(probe.resolve("src/module-info.java"), """
                module pvmm.discovery.probe {
                    requires io.pvmm.api;
                    uses io.pvmm.api.BackendProvider;
                }
                """);
        Files.writeString(src.resolve("Main.java"), """
                package probe;

                import io.pvmm.api.BackendProvider;
                import java.util.ServiceLoader;

                public class Main {
                    public static void main(String[] args) {
                        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
                            Module m = p.getClass().getModule();
                            boolean automatic = m.isNamed() && m.getDescriptor().isAutomatic();
                            System.out.println("backend " + p.name() + " " + (m.isNamed() ? m.getName() : "-") + " " + automatic);
                        }
                    }
                }
                """);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", probe.resolve("classes").toString(),
                "--module-path", location(BackendProvider.class).toString(),
                probe.resolve("src/module-info.java").toString(), src.resolve("Main.java").toString());
        assertThat(rc).as("javac of the probe module").isZero();
    }

    @Test
    @DisplayName("finds every built-in backend on the class path, each with a valid unique name")
    void findsTheBackendsOnTheClassPath() throws Exception {
        List<String> names = Backends.discovered().stream().map(BackendProvider::name).toList();
        assertThat(names).isNotEmpty().doesNotHaveDuplicates().allMatch(n -> NAME.matcher(n).matches());
        List<String> child = run(List.of("-cp", System.getProperty("java.class.path") + File.pathSeparator + probe.resolve("classes"),
                "probe.Main"));
        assertThat(child).as("what a child JVM finds on the same class path")
                .containsExactlyInAnyOrderElementsOf(names.stream().map(n -> n + " - false").toList());
    }

    @Test
    @DisplayName("finds the same backends on the module path, each from its own named module")
    void findsTheBackendsOnTheModulePath() throws Exception {
        Set<Path> modulePath = new LinkedHashSet<>();
        modulePath.add(location(BackendProvider.class));
        for (BackendProvider p : Backends.discovered()) {
            modulePath.add(location(p.getClass()));
        }
        modulePath.addAll(requiredModules(modulePath));
        modulePath.add(probe.resolve("classes"));
        List<String> child = run(List.of("--module-path", String.join(File.pathSeparator, modulePath.stream().map(Path::toString).toList()),
                "-m", "pvmm.discovery.probe/probe.Main"));
        List<String> names = Backends.discovered().stream().map(BackendProvider::name).toList();
        assertThat(child.stream().map(l -> l.split(" ")[0]).toList()).as("names found on the module path %s", modulePath)
                .containsExactlyInAnyOrderElementsOf(names);
        for (BackendProvider p : Backends.discovered()) {
            assertThat(child).as("%s comes from its own named, explicit module", p.name())
                    .contains(p.name() + " " + moduleOf(location(p.getClass())) + " false");
        }
    }

    /** The modules the given ones require, found among the test class path's jars, transitively. */
    private static Set<Path> requiredModules(Set<Path> roots) {
        List<Path> candidates = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(Path::of).filter(p -> p.toString().endsWith(".jar")).toList();
        Set<Path> added = new LinkedHashSet<>();
        List<Path> todo = new ArrayList<>(roots);
        Set<String> seen = new LinkedHashSet<>();
        while (!todo.isEmpty()) {
            for (ModuleDescriptor.Requires r : descriptor(todo.remove(0)).map(ModuleDescriptor::requires).orElse(Set.of())) {
                if (r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC) || r.name().startsWith("java.")
                        || r.name().startsWith("jdk.") || !seen.add(r.name())) {
                    continue;
                }
                candidates.stream().filter(c -> descriptor(c).map(d -> d.name().equals(r.name())).orElse(false)).findFirst()
                        .ifPresent(c -> {
                            added.add(c);
                            todo.add(c);
                        });
            }
        }
        return added;
    }

    private static Optional<ModuleDescriptor> descriptor(Path location) {
        try {
            return ModuleFinder.of(location).findAll().stream().findFirst().map(ModuleReference::descriptor);
        } catch (FindException e) {
            return Optional.empty();
        }
    }

    private static String moduleOf(Path location) {
        return descriptor(location).map(ModuleDescriptor::name).orElse("?");
    }

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(args);
        Path output = Files.createTempFile(probe, "child", ".out");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("the child JVM did not finish within " + CHILD_TIMEOUT_SECONDS + " s: " + command);
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as("exit code of %s; output:%n%s", command, out).isZero();
        return out.lines().filter(l -> l.startsWith("backend ")).map(l -> l.substring("backend ".length())).toList();
    }
}
