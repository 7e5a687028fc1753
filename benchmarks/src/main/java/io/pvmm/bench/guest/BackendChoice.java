package io.pvmm.bench.guest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A backend as a benchmark parameter names it: a backend name, optionally with settings
 * ({@code xen:lazy-batching=false}), or a short alias for a common variant: {@code <name>-eager} is a
 * backend that has the {@value #LAZY_BATCHING_KEY} setting with that setting off.
 *
 * @param label    the parameter value, as reports show it
 * @param backend  the backend's configured name
 * @param settings its settings, keys without the {@code <backend>.} prefix
 */
public record BackendChoice(String label, String backend, Map<String, String> settings) {

    /** The backend the others are measured against, and on which the hooks must cost nothing. */
    public static final String NATIVE = "native";
    /** The suffix of a batching backend's variant with lazy MMU batching off ({@code xen-eager}). */
    public static final String EAGER_SUFFIX = "-eager";
    /** The setting that turns a backend's lazy MMU batching off. */
    public static final String LAZY_BATCHING_KEY = "lazy-batching";

    /**
     * Makes the settings unmodifiable.
     *
     * @param label    the label
     * @param backend  the backend
     * @param settings its settings
     */
    public BackendChoice {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(backend, "backend");
        settings = Map.copyOf(settings);
    }

    /**
     * Reads a parameter value: {@code native}, {@code xen-eager} ({@code <name>-eager}), or
     * {@code name:key=value;key=value}.
     *
     * @param label the parameter value
     * @return the choice
     */
    public static BackendChoice parse(String label) {
        int colon = label.indexOf(':');
        if (colon < 0 && label.endsWith(EAGER_SUFFIX) && label.length() > EAGER_SUFFIX.length()) {
            return new BackendChoice(label, label.substring(0, label.length() - EAGER_SUFFIX.length()),
                    Map.of(LAZY_BATCHING_KEY, "false"));
        }
        if (colon < 0) {
            return new BackendChoice(label, label, Map.of());
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (String pair : label.substring(colon + 1).split(";")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("backend setting must be key=value: " + pair);
            }
            settings.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return new BackendChoice(label, label.substring(0, colon), settings);
    }
}
