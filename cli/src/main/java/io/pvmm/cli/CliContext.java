package io.pvmm.cli;

import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.plugin.BackendPath;
import io.pvmm.runtime.plugin.PluginDiscovery;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a command runs against: system properties (which {@code -Dkey=value} options add to), the
 * environment, the working directory, whether standard error is a terminal, and the runtime. The real
 * process supplies the real ones; tests supply their own maps, so nothing touches the process's
 * environment or leaves a system property behind.
 */
public final class CliContext {

    private final Map<String, String> systemProperties;
    private final boolean writeThrough;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final Function<ConfigInputs, PvmmRuntime> runtimeFactory;
    private final boolean terminal;
    private PvmmRuntime runtime;

    private CliContext(Map<String, String> systemProperties, boolean writeThrough, Map<String, String> environment,
                       Path workingDirectory, Function<ConfigInputs, PvmmRuntime> runtimeFactory, boolean terminal) {
        this.systemProperties = new TreeMap<>(systemProperties);
        this.writeThrough = writeThrough;
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
        this.runtimeFactory = Objects.requireNonNull(runtimeFactory, "runtimeFactory");
        this.terminal = terminal;
    }

    /**
     * The real process: its system properties (a {@code -D} option also sets the real property),
     * environment and working directory; the backends of the class path and of the backend path; a
     * progress bar when standard error is a terminal.
     *
     * @return the context
     */
    public static CliContext system() {
        Map<String, String> properties = new TreeMap<>();
        System.getProperties().forEach((k, v) -> properties.put(String.valueOf(k), String.valueOf(v)));
        return new CliContext(properties, true, System.getenv(), Path.of(System.getProperty("user.dir")),
                PluginDiscovery::discover, stderrIsTerminal());
    }

    /**
     * Whether standard error is a terminal: bin/pvmm tests it ({@code [ -t 2 ]}) and says so in the
     * system property {@value #STDERR_TERMINAL}; without it (pvmm started by hand), only when the JVM has a
     * console and the property is absent. A redirected standard error never gets the bar's {@code \r}s.
     */
    private static boolean stderrIsTerminal() {
        String told = System.getProperty(STDERR_TERMINAL);
        return told != null ? Boolean.parseBoolean(told) : System.console() != null;
    }

    /** The system property through which the launcher tells whether standard error is a terminal. */
    static final String STDERR_TERMINAL = "io.pvmm.cli.stderr-terminal";

    /**
     * A context made of the given parts and the given runtime, for tests and embedding.
     *
     * @param systemProperties the system properties to start from (copied)
     * @param environment      the environment
     * @param workingDirectory the working directory
     * @param runtime          makes the runtime, called at most once
     * @return the context
     */
    public static CliContext of(Map<String, String> systemProperties, Map<String, String> environment,
                                Path workingDirectory, Supplier<PvmmRuntime> runtime) {
        Objects.requireNonNull(runtime, "runtime");
        return new CliContext(systemProperties, false, environment, workingDirectory, inputs -> runtime.get(), false);
    }

    /**
     * A context made of the given parts that discovers backends as the real process does: the class
     * path, then the backend path ({@code PVMM_HOME/backends} and {@code backend.path}).
     *
     * @param systemProperties the system properties to start from (copied)
     * @param environment      the environment
     * @param workingDirectory the working directory
     * @return the context
     */
    public static CliContext of(Map<String, String> systemProperties, Map<String, String> environment, Path workingDirectory) {
        return new CliContext(systemProperties, false, environment, workingDirectory, PluginDiscovery::discover, false);
    }

    /**
     * The same context, told whether standard error is a terminal (where progress bars are drawn).
     *
     * @param isTerminal whether it is
     * @return a new context
     */
    public CliContext withTerminal(boolean isTerminal) {
        return new CliContext(systemProperties, writeThrough, environment, workingDirectory, runtimeFactory, isTerminal);
    }

    /**
     * Sets a system property, as {@code -Dkey=value} does, before configuration is read.
     *
     * @param key   the property name
     * @param value the value
     */
    void defineProperty(String key, String value) {
        systemProperties.put(key, value);
        if (writeThrough) {
            System.setProperty(key, value);
        }
    }

    /** @return the absolute working directory, where relative paths start */
    Path workingDirectory() {
        return workingDirectory;
    }

    /** @return whether standard error is a terminal */
    boolean terminal() {
        return terminal;
    }

    /**
     * The configuration sources as they stand now, without command-line values.
     *
     * @return system properties, environment and working directory
     */
    ConfigInputs inputs() {
        return ConfigInputs.none(workingDirectory).withSystemProperties(systemProperties).withEnvironment(environment);
    }

    /**
     * The backend path the inputs give.
     *
     * @param inputs the sources, command-line values included
     * @return the directories scanned for backend jars
     */
    BackendPath backendPath(ConfigInputs inputs) {
        return BackendPath.resolve(inputs);
    }

    /**
     * The runtime without command-line values: what {@link #runtime(ConfigInputs)} gives for {@link #inputs()}.
     *
     * @return the runtime
     */
    PvmmRuntime runtime() {
        return runtime(inputs());
    }

    /**
     * The runtime, discovered on first use with the backend path the inputs give, with the guest's
     * and the command line's setting namespaces.
     *
     * @param inputs the sources, command-line values included
     * @return the runtime
     */
    synchronized PvmmRuntime runtime(ConfigInputs inputs) {
        if (runtime == null) {
            runtime = CliSettings.register(runtimeFactory.apply(inputs));
        }
        return runtime;
    }
}
