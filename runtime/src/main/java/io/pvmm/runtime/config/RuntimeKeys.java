package io.pvmm.runtime.config;

import io.pvmm.api.SettingSpec;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The runtime's own keys, how a key is spelt in each source, and the names the runtime leaves to
 * others.
 */
public final class RuntimeKeys {

    /** The backend to run, by name. */
    public static final String BACKEND = "backend";
    /** The guest's paging mode: {@code two-level} or {@code pae}. */
    public static final String MODE = "mode";
    /** The configuration file. */
    public static final String CONFIG = "config";
    /**
     * Where third-party backend jars are, besides the distribution's {@code backends/}: directories
     * separated by the platform's path separator ({@code :} on Unix). A key of the runtime's own
     * {@code backend} namespace ({@link #namespaces()}).
     */
    public static final String BACKEND_PATH = "backend.path";

    /** The backend chosen when no source names one. */
    public static final String DEFAULT_BACKEND = "native";
    /** The configuration file read, when present, if no source names one: in the working directory. */
    public static final String DEFAULT_CONFIG_FILE = "pvmm.properties";

    /** How keys are spelt as system properties and in the configuration file: {@code pvmm.<key>}. */
    public static final String PROPERTY_PREFIX = "pvmm.";
    /** How keys are spelt in the environment: {@code PVMM_<KEY>}. */
    public static final String ENVIRONMENT_PREFIX = "PVMM_";

    /**
     * Environment variables with the {@code PVMM_} prefix that are not settings: the launcher's own.
     * {@code PVMM_HOME} is where the distribution lives; {@code PVMM_OPTS} holds extra JVM options.
     */
    public static final Set<String> IGNORED_ENVIRONMENT = Set.of("PVMM_HOME", "PVMM_OPTS");

    /**
     * System properties with the {@code pvmm.} prefix that are not settings. {@code pvmm.paravirt}
     * is a JVM switch the benchmarks read to compile the hooks out.
     */
    public static final Set<String> IGNORED_PROPERTIES = Set.of("pvmm.paravirt");

    private RuntimeKeys() {
    }

    /**
     * The runtime's settings: {@code backend}, {@code mode} and {@code config}, with their defaults.
     *
     * @return the specs, keys without prefix
     */
    public static List<SettingSpec> specs() {
        return List.of(
                SettingSpec.string(BACKEND, DEFAULT_BACKEND, "the backend to run, by the name pvmm backends lists"),
                SettingSpec.choice(MODE, "two-level", "the guest's paging mode", "two-level", "pae"),
                SettingSpec.string(CONFIG, DEFAULT_CONFIG_FILE,
                        "the configuration file; a relative path is resolved against the working directory"));
    }

    /**
     * The runtime's own namespaces: {@code backend.*}, which holds {@code backend.path}. Their keys
     * are checked as soon as configuration is read, like the runtime's keys.
     *
     * @return the namespaces
     */
    public static List<SettingNamespace> namespaces() {
        return List.of(new SettingNamespace("backend", List.of(SettingSpec.string("path", "",
                "directories of third-party backend jars, besides the distribution's backends/ (separated by "
                        + "the path separator, : on Unix); each jar or sub-directory gets its own class loader"))));
    }

    /**
     * A key spelt as a system property or a configuration-file key.
     *
     * @param key a key, e.g. {@code vmi.p2m-seed}
     * @return e.g. {@code pvmm.vmi.p2m-seed}
     */
    public static String propertyName(String key) {
        return PROPERTY_PREFIX + key;
    }

    /**
     * A key spelt as an environment variable: upper case, with {@code .} and {@code -} turned into
     * {@code _}.
     *
     * @param key a key, e.g. {@code vmi.p2m-seed}
     * @return e.g. {@code PVMM_VMI_P2M_SEED}
     */
    public static String environmentName(String key) {
        return ENVIRONMENT_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
