package io.pvmm.runtime.plugin;

import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.ConfigValue;
import io.pvmm.runtime.config.EarlyLookup;
import io.pvmm.runtime.config.RuntimeKeys;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where third-party backends are installed, and the class loader each gets. The path is the
 * distribution's {@code backends/} directory ({@code $PVMM_HOME/backends}, when the launcher set
 * {@code PVMM_HOME}), then the directories {@code backend.path} names ({@code --backend-path},
 * {@code -Dpvmm.backend.path}, {@code PVMM_BACKEND_PATH} or {@code pvmm.backend.path} in the file).
 *
 * <p>In each directory, every {@code *.jar} is one backend with a {@link PluginClassLoader} of its own,
 * and every sub-directory is one backend whose jars (the backend and its libraries) share one loader,
 * as Trino's {@code plugin/<name>/} directories do. A directory that does not exist is skipped: an
 * empty path is not an error.
 *
 * @param directories the directories to scan, in order, each with what named it
 */
public record BackendPath(List<Directory> directories) {

    /** The environment variable the launcher sets to the distribution's directory. */
    public static final String HOME_VARIABLE = "PVMM_HOME";

    /**
     * One directory of the path.
     *
     * @param path   the directory, absolute
     * @param source what named it, e.g. {@code distribution (PVMM_HOME)} or {@code --backend-path option}
     */
    public record Directory(Path path, String source) {
    }

    /**
     * One installed backend: a jar, or a sub-directory of jars.
     *
     * @param location the jar or the sub-directory
     * @param jars     the jars its class loader holds
     */
    public record Plugin(Path location, List<Path> jars) {
    }

    /**
     * Checks and copies the list.
     *
     * @param directories the directories
     */
    public BackendPath {
        directories = List.copyOf(directories);
    }

    /**
     * The path the inputs give.
     *
     * @param inputs the command-line values, system properties, environment and working directory
     * @return the distribution's {@code backends/} (if {@code PVMM_HOME} is set), then the
     *         {@code backend.path} directories, relative ones resolved against the working directory
     */
    public static BackendPath resolve(ConfigInputs inputs) {
        List<Directory> dirs = new ArrayList<>();
        String home = inputs.environment().get(HOME_VARIABLE);
        if (home != null && !home.isBlank()) {
            dirs.add(new Directory(Path.of(home).resolve("backends").toAbsolutePath().normalize(),
                    "distribution (" + HOME_VARIABLE + ")"));
        }
        Optional<ConfigValue> configured = EarlyLookup.lookup(inputs, RuntimeKeys.BACKEND_PATH);
        if (configured.isPresent()) {
            for (String part : configured.get().value().split(File.pathSeparator)) {
                if (!part.isBlank()) {
                    Path dir = inputs.workingDirectory().resolve(part.trim()).toAbsolutePath().normalize();
                    if (dirs.stream().noneMatch(d -> d.path().equals(dir))) {
                        dirs.add(new Directory(dir, configured.get().source().description()));
                    }
                }
            }
        }
        return new BackendPath(dirs);
    }

    /**
     * The backends installed on the path, in directory order, then by name.
     *
     * @return each jar and each sub-directory holding jars
     * @throws UncheckedIOException if a directory cannot be listed
     */
    public List<Plugin> scan() {
        List<Plugin> plugins = new ArrayList<>();
        for (Directory dir : directories) {
            if (!Files.isDirectory(dir.path())) {
                continue;
            }
            for (Path entry : list(dir.path())) {
                if (isJar(entry)) {
                    plugins.add(new Plugin(entry, List.of(entry)));
                } else if (Files.isDirectory(entry)) {
                    List<Path> jars = list(entry).stream().filter(BackendPath::isJar).toList();
                    if (!jars.isEmpty()) {
                        plugins.add(new Plugin(entry, jars));
                    }
                }
            }
        }
        return plugins;
    }

    /**
     * One class loader per installed backend.
     *
     * @return the loaders, in {@link #scan()} order
     */
    public List<ClassLoader> loaders() {
        List<ClassLoader> loaders = new ArrayList<>();
        for (Plugin plugin : scan()) {
            loaders.add(new PluginClassLoader(plugin.location().toString(), urls(plugin.jars())));
        }
        return loaders;
    }

    /**
     * The path in words, for listings.
     *
     * @return e.g. {@code /opt/pvmm/backends (distribution (PVMM_HOME))}, or {@code (none)}
     */
    public String describe() {
        if (directories.isEmpty()) {
            return "(none)";
        }
        List<String> parts = new ArrayList<>();
        for (Directory d : directories) {
            parts.add(d.path() + " (" + d.source() + (Files.isDirectory(d.path()) ? "" : "; does not exist") + ")");
        }
        return String.join(", ", parts);
    }

    /**
     * The URLs of some jars.
     *
     * @param jars jar files
     * @return their {@code file:} URLs
     */
    public static List<URL> urls(List<Path> jars) {
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            try {
                urls.add(jar.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("not a usable path: " + jar, e);
            }
        }
        return urls;
    }

    private static boolean isJar(Path p) {
        return Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jar");
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
