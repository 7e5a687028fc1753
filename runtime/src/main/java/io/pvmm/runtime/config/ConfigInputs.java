package io.pvmm.runtime.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the user said, before it is checked: command-line values, system properties, environment
 * variables and the working directory (where {@code pvmm.properties} is looked for). Tests pass
 * their own maps instead of touching the real environment. Immutable; every {@code with} method
 * returns a copy.
 *
 * <pre>{@code
 * ConfigInputs inputs = ConfigInputs.system()
 *         .withOption(RuntimeKeys.BACKEND, "xen", "--backend")
 *         .withOption("xen.batch", "32", "--set");
 * }</pre>
 */
public final class ConfigInputs {

    private final List<ConfigValue> options;
    private final Map<String, String> systemProperties;
    private final Map<String, String> environment;
    private final Path workingDirectory;

    private ConfigInputs(List<ConfigValue> options, Map<String, String> systemProperties,
                         Map<String, String> environment, Path workingDirectory) {
        this.options = List.copyOf(options);
        this.systemProperties = Map.copyOf(systemProperties);
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
    }

    /**
     * The real process: {@link System#getProperties()}, {@link System#getenv()} and the directory
     * in {@code user.dir}, read now.
     *
     * @return the inputs, with no command-line values yet
     */
    public static ConfigInputs system() {
        Map<String, String> properties = new TreeMap<>();
        System.getProperties().forEach((k, v) -> properties.put(String.valueOf(k), String.valueOf(v)));
        return new ConfigInputs(List.of(), properties, System.getenv(), Path.of(System.getProperty("user.dir")));
    }

    /**
     * No value from anywhere: a starting point for tests.
     *
     * @param workingDirectory where {@code pvmm.properties} is looked for
     * @return the inputs
     */
    public static ConfigInputs none(Path workingDirectory) {
        return new ConfigInputs(List.of(), Map.of(), Map.of(), workingDirectory);
    }

    /**
     * Adds a value given on the command line. Later values for the same key do not override
     * earlier ones: the first command-line value wins, the others are listed as shadowed.
     *
     * @param key    the key without prefix, e.g. {@code backend}
     * @param value  the value
     * @param option the option as typed, e.g. {@code --backend} or {@code --set}
     * @return a copy with the value added
     */
    public ConfigInputs withOption(String key, String value, String option) {
        return withOption(key, value, ConfigSource.option(option));
    }

    /**
     * Adds a value with the precedence of the command line that was derived from a value given
     * elsewhere, keeping that value's source for messages: {@code pvmm compare} runs each backend of
     * {@code compare.backends} as {@code backend}, and an error about one of them names where the
     * list came from.
     *
     * @param key    the key without prefix
     * @param value  the value
     * @param source where the value it derives from came from
     * @return a copy with the value added
     */
    public ConfigInputs withOption(String key, String value, ConfigSource source) {
        List<ConfigValue> copy = new ArrayList<>(options);
        copy.add(new ConfigValue(key, value, source));
        return new ConfigInputs(copy, systemProperties, environment, workingDirectory);
    }

    /**
     * Replaces the system properties.
     *
     * @param properties every system property, by name
     * @return a copy with these properties
     */
    public ConfigInputs withSystemProperties(Map<String, String> properties) {
        return new ConfigInputs(options, Objects.requireNonNull(properties), environment, workingDirectory);
    }

    /**
     * Replaces the environment.
     *
     * @param variables every environment variable, by name
     * @return a copy with this environment
     */
    public ConfigInputs withEnvironment(Map<String, String> variables) {
        return new ConfigInputs(options, systemProperties, Objects.requireNonNull(variables), workingDirectory);
    }

    /**
     * The command-line values, in the order given.
     *
     * @return the values
     */
    public List<ConfigValue> options() {
        return options;
    }

    /**
     * The system properties.
     *
     * @return every property, by name
     */
    public Map<String, String> systemProperties() {
        return systemProperties;
    }

    /**
     * The environment.
     *
     * @return every variable, by name
     */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * The working directory, absolute.
     *
     * @return the directory
     */
    public Path workingDirectory() {
        return workingDirectory;
    }
}
