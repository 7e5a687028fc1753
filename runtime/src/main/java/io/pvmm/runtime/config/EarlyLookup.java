package io.pvmm.runtime.config;

import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads one runtime key before the full configuration can be read, with the same precedence and the
 * same sources as {@link ConfigurationReader}: command-line values, system property {@code pvmm.<key>},
 * environment {@code PVMM_<KEY>}, the configuration file. What the backend path needs: the backends
 * must be discovered before the configuration's keys are known, and the path says where to discover
 * them. Nothing else is checked here; {@link ConfigurationReader} checks every key afterwards.
 */
public final class EarlyLookup {

    private EarlyLookup() {
    }

    /**
     * The value in force for a key, if any source sets it.
     *
     * @param inputs what the user gave
     * @param key    a runtime key without prefix, e.g. {@code backend.path}
     * @return the value with its source, or empty when only the default applies
     * @throws PvmmException {@link PvmmError#CONFIG_FILE_UNREADABLE} if the configuration file named
     *                       explicitly is missing, or a file cannot be read or parsed
     */
    public static Optional<ConfigValue> lookup(ConfigInputs inputs, String key) {
        Optional<ConfigValue> found = first(inputs.options(), key);
        if (found.isPresent()) {
            return found;
        }
        String property = RuntimeKeys.propertyName(key);
        String value = inputs.systemProperties().get(property);
        if (value != null) {
            return Optional.of(new ConfigValue(key, value, ConfigSource.systemProperty(property)));
        }
        String variable = RuntimeKeys.environmentName(key);
        value = inputs.environment().get(variable);
        if (value != null) {
            return Optional.of(new ConfigValue(key, value, ConfigSource.environment(variable)));
        }
        ConfigFile file = file(inputs);
        if (!file.present()) {
            return Optional.empty();
        }
        ConfigValue last = null;
        for (PropertiesFile.Entry e : PropertiesFile.read(file.path(), file.namedBy())) {
            if (e.key().equals(property)) {
                last = new ConfigValue(key, e.value(), ConfigSource.fileLine(file.path(), e.line()));
            }
        }
        return Optional.ofNullable(last);
    }

    private static Optional<ConfigValue> first(List<ConfigValue> values, String key) {
        return values.stream().filter(v -> v.key().equals(key)).findFirst();
    }

    private static ConfigFile file(ConfigInputs inputs) {
        Optional<ConfigValue> named = first(inputs.options(), RuntimeKeys.CONFIG);
        if (named.isEmpty()) {
            String property = RuntimeKeys.propertyName(RuntimeKeys.CONFIG);
            String variable = RuntimeKeys.environmentName(RuntimeKeys.CONFIG);
            if (inputs.systemProperties().containsKey(property)) {
                named = Optional.of(new ConfigValue(RuntimeKeys.CONFIG, inputs.systemProperties().get(property),
                        ConfigSource.systemProperty(property)));
            } else if (inputs.environment().containsKey(variable)) {
                named = Optional.of(new ConfigValue(RuntimeKeys.CONFIG, inputs.environment().get(variable),
                        ConfigSource.environment(variable)));
            }
        }
        if (named.isPresent()) {
            ConfigValue v = PropertiesFile.requireName(named.get());
            return new ConfigFile(inputs.workingDirectory().resolve(v.value()).toAbsolutePath().normalize(), v.source(), true);
        }
        Path path = inputs.workingDirectory().resolve(RuntimeKeys.DEFAULT_CONFIG_FILE).toAbsolutePath().normalize();
        return new ConfigFile(path, ConfigSource.DEFAULT, Files.exists(path));
    }
}
