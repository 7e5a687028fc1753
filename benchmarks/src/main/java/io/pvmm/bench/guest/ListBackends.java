package io.pvmm.bench.guest;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.SettingSpec;
import io.pvmm.runtime.discovery.BackendDiscovery;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import java.util.ArrayList;
import java.util.List;

/**
 * The backend parameter values the benchmarks use, from the providers on the class path (found with
 * {@code ServiceLoader}, as the runtime finds them): {@link #NATIVE} first, then every other discovered
 * backend by name, each followed by its {@code -eager} variant when it has the lazy-batching setting;
 * and the backends whose audit has work to do (all but {@code native}). A backend module added to the
 * benchmarks' class path is measured with no edit here. {@link #main} prints them for {@code run.sh}:
 * {@code backends=native,nested,shadow,vmi,xen,xen-eager} and {@code audited=nested,shadow,vmi,xen}.
 */
public final class ListBackends {

    /** The reference backend. */
    public static final String NATIVE = BackendChoice.NATIVE;

    private ListBackends() {
    }

    /**
     * Prints the two lines.
     *
     * @param args none
     */
    public static void main(String[] args) {
        BackendRegistry registry = BackendDiscovery.discover();
        System.out.println("backends=" + String.join(",", backends(registry)));
        System.out.println("audited=" + String.join(",", audited(registry)));
    }

    /**
     * The backend labels to measure side by side.
     *
     * @param registry the discovered providers
     * @return {@code native} (if discovered) first, then the others by name, with their variants
     */
    public static List<String> backends(BackendRegistry registry) {
        List<String> labels = new ArrayList<>();
        for (String name : ordered(registry)) {
            labels.add(name);
            registry.find(name).map(DiscoveredBackend::provider)
                    .filter(p -> hasSetting(p, BackendChoice.LAZY_BATCHING_KEY))
                    .ifPresent(p -> labels.add(name + BackendChoice.EAGER_SUFFIX));
        }
        return labels;
    }

    /**
     * The backends whose audit keeps state to check.
     *
     * @param registry the discovered providers
     * @return every discovered backend but {@code native}, by name
     */
    public static List<String> audited(BackendRegistry registry) {
        List<String> names = ordered(registry);
        names.remove(NATIVE);
        return names;
    }

    private static List<String> ordered(BackendRegistry registry) {
        List<String> names = new ArrayList<>(registry.names());
        names.sort(null);
        if (names.remove(NATIVE)) {
            names.add(0, NATIVE);
        }
        return names;
    }

    private static boolean hasSetting(BackendProvider p, String key) {
        return p.settings().stream().map(SettingSpec::key).anyMatch(key::equals);
    }
}
