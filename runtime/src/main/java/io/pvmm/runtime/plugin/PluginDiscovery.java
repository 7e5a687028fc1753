package io.pvmm.runtime.plugin;

import io.pvmm.api.BackendProvider;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.discovery.BackendDiscovery;
import io.pvmm.runtime.config.ConfigInputs;
import java.util.ArrayList;
import java.util.List;

/**
 * Discovers the backends of pvmm's own class path (the distribution's {@code lib/}) and of every
 * backend installed on the {@link BackendPath}, each of those in its own {@link PluginClassLoader}.
 *
 * <pre>{@code
 * PvmmRuntime runtime = PluginDiscovery.discover(ConfigInputs.system());
 * }</pre>
 */
public final class PluginDiscovery {

    private PluginDiscovery() {
    }

    /**
     * Discovers the backends the inputs' backend path and the SPI's class loader hold.
     *
     * @param inputs the configuration sources, read for {@code backend.path} and {@code PVMM_HOME}
     * @return the runtime over everything found
     */
    public static PvmmRuntime discover(ConfigInputs inputs) {
        return discover(BackendPath.resolve(inputs));
    }

    /**
     * Discovers the backends of a backend path and of the SPI's class loader.
     *
     * @param path the backend path
     * @return the runtime over everything found
     */
    public static PvmmRuntime discover(BackendPath path) {
        List<ClassLoader> loaders = new ArrayList<>();
        ClassLoader own = BackendProvider.class.getClassLoader();
        loaders.add(own == null ? ClassLoader.getSystemClassLoader() : own);
        loaders.addAll(path.loaders());
        return PvmmRuntime.of(BackendDiscovery.discover(loaders).withPathProblems(path.problems()));
    }
}
