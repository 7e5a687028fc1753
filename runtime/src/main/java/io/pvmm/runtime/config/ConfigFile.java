package io.pvmm.runtime.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The configuration file a configuration was read with.
 *
 * @param path    the file, absolute
 * @param namedBy what named it: an option, a system property, an environment variable, or
 *                {@link ConfigSource#DEFAULT} for {@code ./pvmm.properties}
 * @param present whether the file existed and was read; a missing default file is not an error
 */
public record ConfigFile(Path path, ConfigSource namedBy, boolean present) {

    /**
     * Checks the record is complete.
     *
     * @param path    the file
     * @param namedBy what named it
     * @param present whether it was read
     */
    public ConfigFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(namedBy, "namedBy");
    }
}
