package io.pvmm.runtime.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a configuration value came from, in the words messages use.
 *
 * @param kind        the kind of source, which fixes its precedence
 * @param description e.g. {@code --backend option}, {@code system property pvmm.backend},
 *                    {@code environment PVMM_BACKEND}, {@code pvmm.properties (/abs/path) line 3},
 *                    {@code default}
 */
public record ConfigSource(SourceKind kind, String description) {

    /** The source of every default value. */
    public static final ConfigSource DEFAULT = new ConfigSource(SourceKind.DEFAULT, "default");

    /**
     * Checks the record is complete.
     *
     * @param kind        the kind
     * @param description the description
     */
    public ConfigSource {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(description, "description");
    }

    /**
     * A command-line option.
     *
     * @param option the option as typed, e.g. {@code --backend}
     * @return e.g. {@code --backend option}
     */
    public static ConfigSource option(String option) {
        return new ConfigSource(SourceKind.CLI, option + " option");
    }

    /**
     * A system property.
     *
     * @param name the property's name, e.g. {@code pvmm.backend}
     * @return e.g. {@code system property pvmm.backend}
     */
    public static ConfigSource systemProperty(String name) {
        return new ConfigSource(SourceKind.SYSTEM_PROPERTY, "system property " + name);
    }

    /**
     * An environment variable.
     *
     * @param name the variable's name, e.g. {@code PVMM_BACKEND}
     * @return e.g. {@code environment PVMM_BACKEND}
     */
    public static ConfigSource environment(String name) {
        return new ConfigSource(SourceKind.ENVIRONMENT, "environment " + name);
    }

    /**
     * A line of a configuration file.
     *
     * @param file the file, absolute
     * @param line the line number, from 1
     * @return e.g. {@code pvmm.properties (/home/ana/pvmm.properties) line 3}
     */
    public static ConfigSource fileLine(Path file, int line) {
        return new ConfigSource(SourceKind.FILE, file.getFileName() + " (" + file + ") line " + line);
    }

    @Override
    public String toString() {
        return description;
    }
}
