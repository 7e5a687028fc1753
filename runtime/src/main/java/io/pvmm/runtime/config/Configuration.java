package io.pvmm.runtime.config;

import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.api.SettingSpec;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration as read from every source: for each declared key, every value given for it, highest
 * precedence first, each with its source, the default last. Every key is known (an unknown one was
 * refused on reading) and the runtime's and registered namespaces' values fit their types. Built by
 * {@link ConfigurationReader}; immutable.
 */
public final class Configuration {

    private final KeyCatalog catalog;
    private final Map<String, List<ConfigValue>> candidates;
    private final ConfigFile file;

    Configuration(KeyCatalog catalog, Map<String, List<ConfigValue>> candidates, ConfigFile file) {
        this.catalog = catalog;
        Map<String, List<ConfigValue>> copy = new LinkedHashMap<>();
        candidates.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        this.candidates = Map.copyOf(copy);
        this.file = file;
    }

    /**
     * The keys this configuration knows.
     *
     * @return the catalogue it was read against
     */
    public KeyCatalog catalog() {
        return catalog;
    }

    /**
     * The configuration file, whether or not it existed.
     *
     * @return the file
     */
    public ConfigFile file() {
        return file;
    }

    /**
     * Every value given for a key, the one in force first, the default last.
     *
     * @param key a key without prefix
     * @return the values, empty if the key is not declared
     */
    public List<ConfigValue> candidates(String key) {
        return candidates.getOrDefault(key, List.of());
    }

    /**
     * The value in force for a key: the highest-precedence value given, else the default.
     *
     * @param key a declared key
     * @return the value and its source
     * @throws IllegalArgumentException if the key is not declared
     */
    public ConfigValue get(String key) {
        List<ConfigValue> values = candidates(key);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("key '" + key + "' is not declared; declared: " + catalog.keys());
        }
        return values.get(0);
    }

    /**
     * The value in force for a key if some source sets it.
     *
     * @param key a key without prefix
     * @return the value, or empty when only the default applies
     */
    public Optional<ConfigValue> explicit(String key) {
        return candidates(key).stream().filter(v -> v.source().kind() != SourceKind.DEFAULT).findFirst();
    }

    /**
     * The backend named by the configuration (not checked against the discovered ones).
     *
     * @return the {@code backend} value in force and its source
     */
    public ConfigValue backend() {
        return get(RuntimeKeys.BACKEND);
    }

    /**
     * The paging mode named by the configuration.
     *
     * @return the {@code mode} value in force, as a paging mode
     */
    public PagingMode mode() {
        ConfigValue mode = get(RuntimeKeys.MODE);
        return PagingMode.fromConfigName(mode.value())
                .orElseThrow(() -> invalid(mode, "'" + mode.value() + "' is not one of two-level, pae"));
    }

    /**
     * The values set explicitly in a namespace, keys without the prefix.
     *
     * @param namespace a namespace, e.g. {@code vmi}
     * @return the values in force, by key; defaults are not included
     */
    public Map<String, ConfigValue> namespace(String namespace) {
        Map<String, ConfigValue> result = new LinkedHashMap<>();
        String prefix = namespace + ".";
        candidates.keySet().stream().filter(k -> k.startsWith(prefix)).sorted()
                .forEach(k -> explicit(k).ifPresent(v -> result.put(k.substring(prefix.length()), v)));
        return result;
    }

    /**
     * A registered namespace's settings, checked, defaults applied.
     *
     * @param namespace a namespace registered with the runtime, e.g. {@code guest}
     * @return the settings
     * @throws PvmmException {@link PvmmError#INVALID_SETTING_VALUE} for a value that does not fit
     */
    public BackendSettings settings(String namespace) {
        return settings(namespace, catalog.namespaceSpecs(namespace));
    }

    /**
     * A namespace's settings checked against the given specs, defaults applied: what a backend
     * receives from {@code BackendContext.settings()}.
     *
     * @param namespace the namespace, e.g. {@code vmi}
     * @param specs     what the namespace accepts
     * @return the settings
     * @throws PvmmException {@link PvmmError#UNKNOWN_SETTING} for a key the specs do not declare,
     *                       {@link PvmmError#INVALID_SETTING_VALUE} for a value that does not fit,
     *                       each naming the value's source
     */
    public BackendSettings settings(String namespace, List<SettingSpec> specs) {
        Map<String, ConfigValue> given = namespace(namespace);
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : given.entrySet()) {
            ConfigValue v = e.getValue();
            SettingSpec spec = specs.stream().filter(s -> s.key().equals(e.getKey())).findFirst()
                    .orElseThrow(() -> KeyCatalog.of(List.of(), List.of(new SettingNamespace(namespace, specs)), List.of())
                            .unknownKey(v.key(), KeyCatalog.Spelling.KEY, v.source()));
            check(v, spec);
            values.put(e.getKey(), v.value());
        }
        try {
            return BackendSettings.of(specs, values);
        } catch (IllegalArgumentException e) {
            throw new PvmmException(PvmmError.INVALID_SETTING_VALUE, "settings of " + namespace,
                    Map.of("value", values.toString(), "key", namespace + ".*", "problem", e.getMessage()), e);
        }
    }

    /**
     * Checks a value against its spec.
     *
     * @param value a value
     * @param spec  the spec of its key
     * @throws PvmmException {@link PvmmError#INVALID_SETTING_VALUE} naming the key, the value, the
     *                       source and what is accepted
     */
    static void check(ConfigValue value, SettingSpec spec) {
        spec.problem(value.value()).ifPresent(problem -> {
            throw invalid(value, problem);
        });
    }

    private static PvmmException invalid(ConfigValue value, String problem) {
        return new PvmmException(PvmmError.INVALID_SETTING_VALUE, value.source().description(),
                Map.of("value", value.value(), "key", value.key(), "problem", problem));
    }
}
