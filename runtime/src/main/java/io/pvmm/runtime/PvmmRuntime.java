package io.pvmm.runtime;

import io.pvmm.api.BackendContext;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.ConfigurationReader;
import io.pvmm.runtime.config.KeyCatalog;
import io.pvmm.runtime.config.RuntimeKeys;
import io.pvmm.runtime.config.SettingNamespace;
import io.pvmm.runtime.discovery.BackendDiscovery;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import io.pvmm.runtime.wiring.BackendWiring;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The runtime: finds the backends, reads the configuration, selects the backend it names and builds
 * it for a guest. What the {@code pvmm} command and the guest runner call.
 *
 * <pre>{@code
 * PvmmRuntime runtime = PvmmRuntime.discover().withNamespace(guestSettings);
 * Configuration config = runtime.configure(ConfigInputs.system().withOption("backend", "xen", "--backend"));
 * Selection selection = runtime.select(config);
 * ParavirtOps ops = runtime.createBackend(selection, selection.mode(), guestContext);
 * }</pre>
 *
 * <p>Every failure is a {@link PvmmException} with a code from {@link PvmmError}. Immutable and
 * thread-safe; {@link #withNamespace} returns a new runtime over the same providers.
 */
public final class PvmmRuntime {

    private final BackendRegistry registry;
    private final List<SettingNamespace> namespaces;
    private final BackendWiring wiring;

    private PvmmRuntime(BackendRegistry registry, List<SettingNamespace> namespaces, BackendWiring wiring) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.namespaces = List.copyOf(namespaces);
        this.wiring = wiring;
    }

    /**
     * Discovers the backends visible to the class loader that loaded the SPI (never the thread's
     * context class loader).
     *
     * @return the runtime
     */
    public static PvmmRuntime discover() {
        return of(BackendDiscovery.discover());
    }

    /**
     * Discovers the backends visible to the given class loaders, e.g. the application's loader and
     * one loader per plugin jar. A class seen twice from the same location counts once.
     *
     * @param loaders the class loaders to search, in order
     * @return the runtime
     */
    public static PvmmRuntime discover(List<ClassLoader> loaders) {
        return of(BackendDiscovery.discover(loaders));
    }

    /**
     * A runtime over providers already found, e.g. a registry built by a test.
     *
     * @param registry the providers
     * @return the runtime
     */
    public static PvmmRuntime of(BackendRegistry registry) {
        return new PvmmRuntime(registry, List.of(), new BackendWiring(registry));
    }

    /**
     * A runtime that also accepts a namespace of settings, such as the guest model's {@code guest.*}
     * or {@code workload.*}. Their values are checked as soon as configuration is read; read them
     * with {@link Configuration#settings(String)}.
     *
     * @param namespace the namespace and its settings
     * @return a new runtime over the same providers
     * @throws IllegalArgumentException if the namespace is already registered, or its name is a
     *                                  runtime key
     */
    public PvmmRuntime withNamespace(SettingNamespace namespace) {
        for (SettingNamespace ns : namespaces) {
            if (ns.name().equals(namespace.name())) {
                throw new IllegalArgumentException("namespace '" + namespace.name() + "' is already registered");
            }
        }
        if (RuntimeKeys.specs().stream().anyMatch(s -> s.key().equals(namespace.name()))) {
            throw new IllegalArgumentException("'" + namespace.name() + "' is a runtime key, not a namespace");
        }
        List<SettingNamespace> copy = new ArrayList<>(namespaces);
        copy.add(namespace);
        return new PvmmRuntime(registry, copy, wiring);
    }

    /**
     * What discovery found: providers, their locations, and load failures.
     *
     * @return the registry
     */
    public BackendRegistry registry() {
        return registry;
    }

    /**
     * Every key configuration may hold: the runtime's (with {@code backend.path}), each discovered backend's
     * {@code <backend>.<key>}, and the registered namespaces'.
     *
     * @return the catalogue
     */
    public KeyCatalog keys() {
        List<SettingNamespace> backends = new ArrayList<>();
        for (String name : registry.names()) {
            registry.find(name).ifPresent(b -> backends.add(new SettingNamespace(b.name(), b.settings())));
        }
        List<SettingNamespace> registered = new ArrayList<>(RuntimeKeys.namespaces());
        registered.addAll(namespaces);
        return KeyCatalog.of(RuntimeKeys.specs(), registered, backends);
    }

    /**
     * Reads the configuration from every source.
     *
     * @param inputs the command-line values, system properties, environment and working directory
     * @return the configuration, every value with its source
     * @throws PvmmException {@link PvmmError#UNKNOWN_SETTING}, {@link PvmmError#INVALID_SETTING_VALUE}
     *                       or {@link PvmmError#CONFIG_FILE_UNREADABLE}
     */
    public Configuration configure(ConfigInputs inputs) {
        return ConfigurationReader.read(inputs, keys());
    }

    /**
     * Selects the backend the configuration names, checking in order: some provider was found
     * (E001), the name is known (E002), no other provider has it (E003), the SPI version is compatible
     * (E007), the configured paging mode is supported (E006), the backend's settings are valid
     * (E008, E009). Creates nothing.
     *
     * @param config the configuration
     * @return the selection, with the deciding source and the values it shadowed
     * @throws PvmmException with one of the codes above
     */
    public Selection select(Configuration config) {
        return BackendSelector.select(registry, config);
    }

    /**
     * Builds the selected backend for one guest: checks the guest's paging mode (E006), then calls
     * the provider's {@code create} in a child injector that binds the guest's context, wrapped so
     * that {@code settings()} answers the selection's checked settings. No other provider's
     * {@code create} is called.
     *
     * @param selection    a selection made by this runtime
     * @param mode         the guest's paging mode
     * @param guestContext the guest's memory, layout and vCPUs
     * @return the new backend, for this guest only
     * @throws PvmmException {@link PvmmError#UNSUPPORTED_PAGING_MODE} or
     *                       {@link PvmmError#BACKEND_CREATE_FAILED}
     * @throws IllegalArgumentException if the selection's backend is not one of this runtime's
     */
    public ParavirtOps createBackend(Selection selection, PagingMode mode, BackendContext guestContext) {
        DiscoveredBackend backend = selection.backend();
        if (!registry.backends().contains(backend)) {
            throw new IllegalArgumentException("backend '" + backend.name() + "' was not discovered by this runtime");
        }
        String modeSource = mode == selection.mode() ? selection.modeDecision().source().description() : "the guest's paging mode";
        BackendSelector.requireMode(backend, mode, modeSource);
        return wiring.create(backend, selection.settings(), Objects.requireNonNull(guestContext, "guestContext"));
    }
}
