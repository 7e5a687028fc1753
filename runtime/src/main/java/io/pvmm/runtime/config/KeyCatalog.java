package io.pvmm.runtime.config;

import io.pvmm.api.SettingSpec;
import io.pvmm.runtime.error.DidYouMean;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Every key the configuration may hold, with its spec: the runtime's own keys, the settings of every
 * discovered backend as {@code <backend>.<key>}, and the namespaces callers register. Knows how a key
 * is spelt in each source, and turns an unknown key into {@link PvmmError#UNKNOWN_SETTING} with a
 * suggestion spelt the way the user wrote it.
 */
public final class KeyCatalog {

    /** How a key is written in a source. */
    public enum Spelling {
        /** As a {@code --set} option writes it: {@code vmi.p2m-seed}. */
        KEY,
        /** As a system property or a file key: {@code pvmm.vmi.p2m-seed}. */
        PROPERTY,
        /** As an environment variable: {@code PVMM_VMI_P2M_SEED}. */
        ENVIRONMENT;

        /**
         * Spells a key this way.
         *
         * @param key a key without prefix
         * @return the key as written in this kind of source
         */
        public String spell(String key) {
            return switch (this) {
                case KEY -> key;
                case PROPERTY -> RuntimeKeys.propertyName(key);
                case ENVIRONMENT -> RuntimeKeys.environmentName(key);
            };
        }
    }

    private static final int LIST_ALL_UP_TO = 12;

    private final Map<String, SettingSpec> specs = new TreeMap<>();
    private final Map<String, String> namespaceOfKey = new TreeMap<>();
    private final Map<String, String> keyOfEnvironment = new TreeMap<>();
    private final Set<String> eagerNamespaces = new LinkedHashSet<>();
    private final Set<String> namespaces = new LinkedHashSet<>();

    private KeyCatalog() {
    }

    /**
     * Builds the catalogue. When two namespaces declare the same full key, the first declaration
     * counts: the runtime's keys, then the registered namespaces, then the backends'.
     *
     * @param runtimeSpecs the runtime's own keys, which have no namespace
     * @param registered   namespaces registered by callers; their values are checked when read
     * @param backends     one namespace per discovered backend; only the chosen one's values are
     *                     checked, when it is selected
     * @return the catalogue
     */
    public static KeyCatalog of(List<SettingSpec> runtimeSpecs, List<SettingNamespace> registered,
                                List<SettingNamespace> backends) {
        KeyCatalog catalog = new KeyCatalog();
        for (SettingSpec spec : runtimeSpecs) {
            catalog.add("", spec.key(), spec);
        }
        catalog.eagerNamespaces.add("");
        for (SettingNamespace ns : registered) {
            catalog.addNamespace(ns);
            catalog.eagerNamespaces.add(ns.name());
        }
        for (SettingNamespace ns : backends) {
            catalog.addNamespace(ns);
        }
        return catalog;
    }

    private void addNamespace(SettingNamespace ns) {
        namespaces.add(ns.name());
        for (SettingSpec spec : ns.specs()) {
            add(ns.name(), ns.keyOf(spec), spec);
        }
    }

    private void add(String namespace, String key, SettingSpec spec) {
        if (specs.putIfAbsent(key, spec) == null) {
            namespaceOfKey.put(key, namespace);
            keyOfEnvironment.putIfAbsent(RuntimeKeys.environmentName(key), key);
        }
    }

    /**
     * Whether a key is declared.
     *
     * @param key a key without prefix
     * @return whether some namespace declares it
     */
    public boolean isKnown(String key) {
        return specs.containsKey(key);
    }

    /**
     * The spec of a key.
     *
     * @param key a key without prefix
     * @return the spec, or empty if the key is not declared
     */
    public Optional<SettingSpec> spec(String key) {
        return Optional.ofNullable(specs.get(key));
    }

    /**
     * The settings of one namespace, keys without the namespace prefix.
     *
     * @param namespace a namespace name, e.g. {@code vmi} or {@code guest}
     * @return the specs, empty if the namespace declares none or does not exist
     */
    public List<SettingSpec> namespaceSpecs(String namespace) {
        List<SettingSpec> result = new ArrayList<>();
        namespaceOfKey.forEach((key, ns) -> {
            if (ns.equals(namespace) && !namespace.isEmpty()) {
                result.add(specs.get(key));
            }
        });
        return result;
    }

    /**
     * Every declared key, sorted.
     *
     * @return the keys without prefix
     */
    public List<String> keys() {
        return List.copyOf(specs.keySet());
    }

    /**
     * The key an environment variable sets.
     *
     * @param name a variable name, e.g. {@code PVMM_VMI_P2M_SEED}
     * @return the key, e.g. {@code vmi.p2m-seed}, or empty if no declared key is spelt that way
     */
    public Optional<String> keyOfEnvironment(String name) {
        return Optional.ofNullable(keyOfEnvironment.get(name));
    }

    /**
     * Whether a key's value is checked as soon as the configuration is read: true for the runtime's
     * keys and registered namespaces, false for a backend's settings, checked when it is selected.
     *
     * @param key a declared key
     * @return whether the value is checked on reading
     */
    public boolean checkedOnRead(String key) {
        return eagerNamespaces.contains(namespaceOfKey.getOrDefault(key, ""));
    }

    /**
     * The error for a key nobody declares: what is accepted, spelt as the user wrote the key, and
     * the closest declared key.
     *
     * @param given    the key as written
     * @param spelling how the source spells keys
     * @param source   where it was written
     * @return a {@link PvmmError#UNKNOWN_SETTING} exception
     */
    public PvmmException unknownKey(String given, Spelling spelling, ConfigSource source) {
        List<String> spelled = keys().stream().map(spelling::spell).toList();
        String suggestion = DidYouMean.sentence(given, spelled);
        if (suggestion.isEmpty() && spelling == Spelling.PROPERTY && !given.startsWith(RuntimeKeys.PROPERTY_PREFIX)
                && isKnown(given)) {
            suggestion = " Did you mean '" + spelling.spell(given) + "'?";
        }
        return new PvmmException(PvmmError.UNKNOWN_SETTING, source.description(),
                Map.of("key", given, "accepted", accepted(given, spelling), "suggestion", suggestion));
    }

    private String accepted(String given, Spelling spelling) {
        for (String ns : namespaces) {
            String prefix = spelling.spell(ns + ".");
            if (given.startsWith(prefix)) {
                List<String> keys = namespaceOfKey.entrySet().stream().filter(e -> e.getValue().equals(ns))
                        .map(e -> spelling.spell(e.getKey())).toList();
                return keys.isEmpty() ? "no key under " + prefix + "*, because " + ns + " declares no settings" : String.join(", ", keys);
            }
        }
        if (specs.size() <= LIST_ALL_UP_TO) {
            return specs.keySet().stream().map(spelling::spell).collect(Collectors.joining(", "));
        }
        List<String> parts = new ArrayList<>();
        namespaceOfKey.forEach((key, ns) -> {
            if (ns.isEmpty()) {
                parts.add(spelling.spell(key));
            }
        });
        Map<String, Long> counts = namespaceOfKey.values().stream().filter(ns -> !ns.isEmpty())
                .collect(Collectors.groupingBy(ns -> ns, LinkedHashMap::new, Collectors.counting()));
        counts.forEach((ns, n) -> parts.add(spelling.spell(ns + ".") + "* (" + n + (n == 1 ? " key)" : " keys)")));
        return String.join(", ", parts);
    }
}
