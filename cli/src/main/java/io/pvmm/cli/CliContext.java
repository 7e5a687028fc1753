package io.pvmm.cli;

import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.guest.GuestRuntime;
import io.pvmm.runtime.config.ConfigInputs;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What a command runs against: system properties (which {@code -Dkey=value} options add to), the
 * environment, the working directory, and the runtime. The real process supplies the real ones;
 * tests supply their own maps, so nothing touches the process's environment or leaves a system
 * property behind.
 */
public final class CliContext {

    private final Map<String, String> systemProperties;
    private final boolean writeThrough;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final Supplier<PvmmRuntime> runtimeFactory;
    private PvmmRuntime runtime;

    private CliContext(Map<String, String> systemProperties, boolean writeThrough, Map<String, String> environment,
                       Path workingDirectory, Supplier<PvmmRuntime> runtimeFactory) {
        this.systemProperties = new TreeMap<>(systemProperties);
        this.writeThrough = writeThrough;
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
        this.runtimeFactory = Objects.requireNonNull(runtimeFactory, "runtimeFactory");
    }

    /**
     * The real process: its system properties (a {@code -D} option also sets the real property),
     * environment and working directory, and the backends the SPI's class loader finds.
     *
     * @return the context
     */
    public static CliContext system() {
        Map<String, String> properties = new TreeMap<>();
        System.getProperties().forEach((k, v) -> properties.put(String.valueOf(k), String.valueOf(v)));
        return new CliContext(properties, true, System.getenv(), Path.of(System.getProperty("user.dir")), GuestRuntime::discover);
    }

    /**
     * A context made of the given parts, for tests and embedding.
     *
     * @param systemProperties the system properties to start from (copied)
     * @param environment      the environment
     * @param workingDirectory the working directory
     * @param runtime          makes the runtime, called at most once
     * @return the context
     */
    public static CliContext of(Map<String, String> systemProperties, Map<String, String> environment,
                                Path workingDirectory, Supplier<PvmmRuntime> runtime) {
        return new CliContext(systemProperties, false, environment, workingDirectory, runtime);
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

    /**
     * The working directory, where relative paths start.
     *
     * @return the absolute working directory
     */
    Path workingDirectory() {
        return workingDirectory;
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
     * The runtime, discovered on first use.
     *
     * @return the runtime
     */
    synchronized PvmmRuntime runtime() {
        if (runtime == null) {
            runtime = runtimeFactory.get();
        }
        return runtime;
    }
}
