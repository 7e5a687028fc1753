package io.pvmm.runtime.config;

import java.util.Objects;

/**
 * One value of one key, and where it came from.
 *
 * @param key    the key without the {@code pvmm.} prefix, e.g. {@code backend} or {@code vmi.p2m-seed}
 * @param value  the value as given
 * @param source where it came from
 */
public record ConfigValue(String key, String value, ConfigSource source) {

    /**
     * Checks the record is complete.
     *
     * @param key    the key
     * @param value  the value
     * @param source the source
     */
    public ConfigValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(source, "source");
    }

    /**
     * The value and its source, as listings print them.
     *
     * @return e.g. {@code xen (from environment PVMM_BACKEND)}
     */
    public String describe() {
        return value + " (from " + source.description() + ")";
    }
}
