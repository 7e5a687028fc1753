package io.pvmm.runtime.config;

import io.pvmm.api.SettingSpec;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads configuration from every source, highest precedence first: command-line options, system
 * properties {@code pvmm.<key>}, environment variables {@code PVMM_<KEY>}, the configuration file,
 * then defaults. Refuses a key no namespace declares, in any source, and checks the values of the
 * runtime's keys and of registered namespaces.
 *
 * <p>The configuration file is the one named by {@code --config}, {@code pvmm.config} or
 * {@code PVMM_CONFIG} (it must exist), else {@code pvmm.properties} in the working directory if it
 * exists. Its keys are written {@code pvmm.<key>}; a key written twice counts once, the last line
 * winning.
 */
public final class ConfigurationReader {

    private ConfigurationReader() {
    }

    /**
     * Reads the configuration.
     *
     * @param inputs  what the user gave
     * @param catalog every declared key
     * @return the configuration
     * @throws PvmmException {@link PvmmError#UNKNOWN_SETTING} for an undeclared key in any source,
     *                       {@link PvmmError#INVALID_SETTING_VALUE} for a runtime or registered
     *                       setting whose value does not fit, {@link PvmmError#CONFIG_FILE_UNREADABLE}
     *                       for a file named explicitly that is missing, or any file that cannot be
     *                       read or parsed
     */
    public static Configuration read(ConfigInputs inputs, KeyCatalog catalog) {
        Map<String, List<ConfigValue>> byKey = new TreeMap<>();
        for (ConfigValue v : inputs.options()) {
            if (!catalog.isKnown(v.key())) {
                throw catalog.unknownKey(v.key(), KeyCatalog.Spelling.KEY, v.source());
            }
            add(byKey, v);
        }
        new TreeMap<>(inputs.systemProperties()).forEach((name, value) -> {
            if (name.startsWith(RuntimeKeys.PROPERTY_PREFIX) && !RuntimeKeys.IGNORED_PROPERTIES.contains(name)) {
                String key = name.substring(RuntimeKeys.PROPERTY_PREFIX.length());
                ConfigSource source = ConfigSource.systemProperty(name);
                if (!catalog.isKnown(key)) {
                    throw catalog.unknownKey(name, KeyCatalog.Spelling.PROPERTY, source);
                }
                add(byKey, new ConfigValue(key, value, source));
            }
        });
        new TreeMap<>(inputs.environment()).forEach((name, value) -> {
            if (name.startsWith(RuntimeKeys.ENVIRONMENT_PREFIX) && !RuntimeKeys.IGNORED_ENVIRONMENT.contains(name)) {
                ConfigSource source = ConfigSource.environment(name);
                String key = catalog.keyOfEnvironment(name)
                        .orElseThrow(() -> catalog.unknownKey(name, KeyCatalog.Spelling.ENVIRONMENT, source));
                add(byKey, new ConfigValue(key, value, source));
            }
        });
        ConfigFile file = locateFile(byKey, inputs.workingDirectory());
        if (file.present()) {
            readFile(file, catalog, byKey);
        }
        for (String key : catalog.keys()) {
            SettingSpec spec = catalog.spec(key).orElseThrow();
            add(byKey, new ConfigValue(key, spec.defaultValue(), ConfigSource.DEFAULT));
        }
        Configuration configuration = new Configuration(catalog, byKey, file);
        for (String key : catalog.keys()) {
            if (catalog.checkedOnRead(key)) {
                Optional<ConfigValue> v = configuration.explicit(key);
                if (v.isPresent()) {
                    Configuration.check(v.get(), catalog.spec(key).orElseThrow());
                }
            }
        }
        return configuration;
    }

    private static ConfigFile locateFile(Map<String, List<ConfigValue>> byKey, Path workingDirectory) {
        List<ConfigValue> named = byKey.getOrDefault(RuntimeKeys.CONFIG, List.of());
        if (!named.isEmpty()) {
            ConfigValue v = PropertiesFile.requireName(named.get(0));
            return new ConfigFile(workingDirectory.resolve(v.value()).toAbsolutePath().normalize(), v.source(), true);
        }
        Path path = workingDirectory.resolve(RuntimeKeys.DEFAULT_CONFIG_FILE).toAbsolutePath().normalize();
        return new ConfigFile(path, ConfigSource.DEFAULT, Files.exists(path));
    }

    private static void readFile(ConfigFile file, KeyCatalog catalog, Map<String, List<ConfigValue>> byKey) {
        List<PropertiesFile.Entry> entries = new ArrayList<>(PropertiesFile.read(file.path(), file.namedBy()));
        Map<String, PropertiesFile.Entry> lastOfKey = new TreeMap<>();
        for (PropertiesFile.Entry entry : entries) {
            ConfigSource source = ConfigSource.fileLine(file.path(), entry.line());
            String name = entry.key();
            String key = name.startsWith(RuntimeKeys.PROPERTY_PREFIX) ? name.substring(RuntimeKeys.PROPERTY_PREFIX.length()) : null;
            if (key == null || !catalog.isKnown(key)) {
                throw catalog.unknownKey(name, KeyCatalog.Spelling.PROPERTY, source);
            }
            if (key.equals(RuntimeKeys.CONFIG)) {
                throw PropertiesFile.unreadable(file.path(), file.namedBy(), "Line " + entry.line() + " sets "
                        + name + ", which a configuration file cannot set: use --config, the system property pvmm.config "
                        + "or the environment variable PVMM_CONFIG.", null);
            }
            lastOfKey.put(key, entry);
        }
        lastOfKey.forEach((key, entry) ->
                add(byKey, new ConfigValue(key, entry.value(), ConfigSource.fileLine(file.path(), entry.line()))));
    }

    private static void add(Map<String, List<ConfigValue>> byKey, ConfigValue value) {
        byKey.computeIfAbsent(value.key(), k -> new ArrayList<>()).add(value);
    }
}
