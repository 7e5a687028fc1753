package io.pvmm.bench.guest;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.SettingSpec;
import io.pvmm.runtime.discovery.BackendDiscovery;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints, for {@code run.sh}, the backend parameter values the benchmarks can use with the backends
 * on the class path: {@code backends=native,vmi,xen,xen-eager,shadow} (the Xen variant only when Xen
 * has its batching setting) and {@code audited=vmi,xen,shadow} (the backends whose audit has work to do).
 */
public final class ListBackends {

    private ListBackends() {
    }

    /**
     * Prints the two lines.
     *
     * @param args none
     */
    public static void main(String[] args) {
        BackendRegistry registry = BackendDiscovery.discover();
        List<String> backends = new ArrayList<>();
        List<String> audited = new ArrayList<>();
        for (String name : List.of("native", "vmi", "xen", "shadow")) {
            registry.find(name).map(DiscoveredBackend::provider).ifPresent(p -> {
                backends.add(name);
                if (!name.equals("native")) {
                    audited.add(name);
                }
                if (name.equals("xen") && hasSetting(p, BackendChoice.XEN_LAZY_KEY)) {
                    backends.add(BackendChoice.XEN_EAGER);
                }
            });
        }
        System.out.println("backends=" + String.join(",", backends));
        System.out.println("audited=" + String.join(",", audited));
    }

    private static boolean hasSetting(BackendProvider p, String key) {
        return p.settings().stream().map(SettingSpec::key).anyMatch(key::equals);
    }
}
