package io.pvmm.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A backend's settings, checked against its {@link SettingSpec}s, with defaults applied. Keys are
 * given without the {@code pvmm.<backend>.} prefix.
 *
 * <pre>{@code
 * long seed = context.settings().getLong("p2m-seed");
 * }</pre>
 *
 * <p>Immutable and safe to share between threads.
 */
public final class BackendSettings {

    private final Map<String, SettingSpec> specs;
    private final Map<String, String> values;

    private BackendSettings(Map<String, SettingSpec> specs, Map<String, String> values) {
        this.specs = specs;
        this.values = values;
    }

    /**
     * Checks configured values against the specs and applies the defaults.
     *
     * @param specs      what the backend accepts
     * @param configured configured values by key (without prefix)
     * @return the settings
     * @throws IllegalArgumentException naming the key, the value and what is accepted, for an unknown
     *                                  key or a value that does not fit
     */
    public static BackendSettings of(List<SettingSpec> specs, Map<String, String> configured) {
        Map<String, SettingSpec> byKey = new LinkedHashMap<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (SettingSpec spec : specs) {
            if (byKey.put(spec.key(), spec) != null) {
                throw new IllegalArgumentException("setting '" + spec.key() + "' is declared twice");
            }
            values.put(spec.key(), spec.defaultValue());
        }
        configured.forEach((key, value) -> {
            SettingSpec spec = byKey.get(key);
            if (spec == null) {
                throw new IllegalArgumentException("unknown setting '" + key + "'; accepted: " + String.join(", ", byKey.keySet()));
            }
            spec.problem(value).ifPresent(problem -> {
                throw new IllegalArgumentException("setting '" + key + "': " + problem);
            });
            values.put(key, value.trim());
        });
        return new BackendSettings(Collections.unmodifiableMap(byKey), Collections.unmodifiableMap(values));
    }

    /**
     * The defaults of every spec.
     *
     * @param specs what the backend accepts
     * @return the settings with no value configured
     */
    public static BackendSettings defaults(List<SettingSpec> specs) {
        return of(specs, Map.of());
    }

    /**
     * The value of a setting, as text.
     *
     * @param key a declared key
     * @return the configured value or the default
     * @throws IllegalArgumentException if the key was not declared
     */
    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("setting '" + key + "' was not declared; declared: " + String.join(", ", specs.keySet()));
        }
        return v;
    }

    /**
     * The value of a {@link SettingSpec.Type#BOOLEAN} setting.
     *
     * @param key a declared key
     * @return the value
     */
    public boolean getBoolean(String key) {
        return Boolean.parseBoolean(get(key).toLowerCase(Locale.ROOT));
    }

    /**
     * The value of a {@link SettingSpec.Type#LONG} setting.
     *
     * @param key a declared key
     * @return the value
     */
    public long getLong(String key) {
        return SettingSpec.parseLong(get(key));
    }

    /**
     * The value of a {@link SettingSpec.Type#DOUBLE} setting.
     *
     * @param key a declared key
     * @return the value
     */
    public double getDouble(String key) {
        return Double.parseDouble(get(key));
    }

    /**
     * Every setting's effective value, in declaration order.
     *
     * @return an unmodifiable map from key to value
     */
    public Map<String, String> asMap() {
        return values;
    }
}
