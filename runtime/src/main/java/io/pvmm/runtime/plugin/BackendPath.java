package io.pvmm.runtime.plugin;

import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.ConfigValue;
import io.pvmm.runtime.config.EarlyLookup;
import io.pvmm.runtime.config.RuntimeKeys;
import io.pvmm.runtime.discovery.BackendDiscovery;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Where third-party backends are installed, and the class loader each gets. The path is the
 * distribution's {@code backends/} directory ({@code $PVMM_HOME/backends}, when the launcher set
 * {@code PVMM_HOME}), then the directories {@code backend.path} names ({@code --backend-path},
 * {@code -Dpvmm.backend.path}, {@code PVMM_BACKEND_PATH} or {@code pvmm.backend.path} in the file).
 *
 * <p>In each directory, every {@code *.jar} is one backend with a {@link PluginClassLoader} of its own,
 * and every sub-directory is one backend whose jars (the backend and its libraries) share one loader,
 * as Trino's {@code plugin/<name>/} directories do. A bad entry is skipped and reported as a warning
 * with its code ({@link #problems()}): a directory that does not exist ({@link PvmmError#BACKEND_PATH_MISSING}),
 * an entry that is a file ({@link PvmmError#BACKEND_PATH_NOT_A_DIRECTORY}, often a jar given where its
 * directory belongs), a jar that cannot be read or holds nothing ({@link PvmmError#BACKEND_JAR_UNREADABLE}),
 * a file that is not a jar ({@link PvmmError#NOT_A_JAR_ON_BACKEND_PATH}), and a jar that registers no
 * provider in {@code META-INF/services} ({@link PvmmError#BACKEND_JAR_REGISTERS_NOTHING}). The
 * distribution's own {@code backends/} may be missing without a word: an empty path is not an error.
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
     * The backends installed on the path, in directory order, then by name; bad entries are left out
     * ({@link #problems()} says why).
     *
     * @return each jar and each sub-directory holding jars
     * @throws UncheckedIOException if a directory cannot be listed
     */
    public List<Plugin> scan() {
        return walk(new ArrayList<>());
    }

    /**
     * What is wrong with the path's entries, each a warning with its code, in path order.
     *
     * @return the problems; empty when every entry is a directory of good jars
     */
    public List<PvmmException> problems() {
        List<PvmmException> problems = new ArrayList<>();
        walk(problems);
        return problems;
    }

    private List<Plugin> walk(List<PvmmException> problems) {
        List<Plugin> plugins = new ArrayList<>();
        for (Directory dir : directories) {
            if (!Files.isDirectory(dir.path())) {
                if (Files.exists(dir.path())) {
                    boolean jar = dir.path().getFileName().toString().endsWith(".jar");
                    problems.add(new PvmmException(PvmmError.BACKEND_PATH_NOT_A_DIRECTORY, dir.source(), Map.of(
                            "path", dir.path().toString(),
                            "what", jar ? "a jar" : "a file",
                            "hint", jar ? "The backend path names directories of backend jars: name the jar's directory, "
                                    + dir.path().getParent() + ", or copy the jar into a directory of the path." : "")));
                } else if (!dir.source().startsWith("distribution")) {
                    problems.add(new PvmmException(PvmmError.BACKEND_PATH_MISSING, dir.source(), Map.of("path", dir.path().toString())));
                }
                continue;
            }
            for (Path entry : list(dir.path())) {
                if (Files.isDirectory(entry)) {
                    List<Path> jars = list(entry).stream().filter(p -> isJar(p) && readable(p, dir, problems, false)).toList();
                    if (!jars.isEmpty()) {
                        plugins.add(new Plugin(entry, jars));
                    }
                } else if (isJar(entry)) {
                    if (readable(entry, dir, problems, true)) {
                        plugins.add(new Plugin(entry, List.of(entry)));
                    }
                } else if (Files.isRegularFile(entry) && !entry.getFileName().toString().startsWith(".")) {
                    problems.add(new PvmmException(PvmmError.NOT_A_JAR_ON_BACKEND_PATH, dir.source(), Map.of("path", entry.toString())));
                }
            }
        }
        return plugins;
    }

    /** Whether a jar can be loaded; if not, or if it registers nothing, says so. */
    private static boolean readable(Path jar, Directory dir, List<PvmmException> problems, boolean alone) {
        try (JarFile file = new JarFile(jar.toFile())) {
            if (file.size() == 0) {
                problems.add(unreadable(jar, dir, "it is an empty zip, with no entries"));
                return false;
            }
            if (alone && file.getJarEntry(BackendDiscovery.SERVICE_FILE) == null) {
                List<String> provided = BackendJarCheck.moduleProviders(jar);
                problems.add(new PvmmException(PvmmError.BACKEND_JAR_REGISTERS_NOTHING, dir.source(), Map.of("path", jar.toString(),
                        "problem", provided.isEmpty() ? "It has no " + BackendDiscovery.SERVICE_FILE + "."
                                : "Its module-info provides io.pvmm.api.BackendProvider with " + String.join(", ", provided)
                                + ", but backend jars are loaded on the class path, where only " + BackendDiscovery.SERVICE_FILE
                                + " is read.")));
            }
            return true;
        } catch (IOException | SecurityException e) {
            problems.add(unreadable(jar, dir, "it cannot be read as a jar: " + PvmmException.describe(e)));
            return false;
        }
    }

    private static PvmmException unreadable(Path jar, Directory dir, String problem) {
        return new PvmmException(PvmmError.BACKEND_JAR_UNREADABLE, dir.source(), Map.of("path", jar.toString(), "problem", problem));
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
            String state = Files.isDirectory(d.path()) ? "" : !Files.exists(d.path()) ? "; does not exist"
                    : d.path().getFileName().toString().endsWith(".jar") ? "; a jar, not a directory" : "; a file, not a directory";
            parts.add(d.path() + " (" + d.source() + state + ")");
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
