package io.pvmm.bench.guest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A backend as a benchmark parameter names it: a backend name, optionally with settings
 * ({@code xen:lazy-batching=false}), or a short alias for a common variant ({@code xen-eager}).
 *
 * @param label    the parameter value, as reports show it
 * @param backend  the backend's configured name
 * @param settings its settings, keys without the {@code <backend>.} prefix
 */
public record BackendChoice(String label, String backend, Map<String, String> settings) {

    /** Xen with lazy MMU batching off: every update is its own hypercall. */
    public static final String XEN_EAGER = "xen-eager";
    /** The Xen setting that turns batching off, and its value. */
    public static final String XEN_LAZY_KEY = "lazy-batching";

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
     * Reads a parameter value: {@code native}, {@code xen-eager}, or {@code name:key=value;key=value}.
     *
     * @param label the parameter value
     * @return the choice
     */
    public static BackendChoice parse(String label) {
        if (label.equals(XEN_EAGER)) {
            return new BackendChoice(label, "xen", Map.of(XEN_LAZY_KEY, "false"));
        }
        int colon = label.indexOf(':');
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
