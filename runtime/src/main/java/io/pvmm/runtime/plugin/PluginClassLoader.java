package io.pvmm.runtime.plugin;

import io.pvmm.api.BackendProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;

/**
 * The class loader of one third-party backend (Trino's {@code PluginClassLoader}): it shares only the
 * SPI with pvmm and sees nothing else of pvmm's class path, so a backend can bring its own versions of
 * libraries pvmm also uses (Guice, Guava, Jackson, ...) without either side noticing.
 *
 * <ul>
 *   <li>Classes and resources of the SPI packages ({@link #SPI_PACKAGES}: {@code io.pvmm.api.}) come
 *       from the loader that loaded the SPI, always, so the backend's {@code BackendProvider} is pvmm's
 *       {@code BackendProvider}; a copy of them inside the backend's jar is ignored.</li>
 *   <li>The JDK's classes come from the platform class loader, the parent.</li>
 *   <li>Everything else is child-first: the backend's own jars, then the platform loader. The
 *       application class loader (pvmm's {@code lib/}) is never consulted.</li>
 * </ul>
 *
 * <p>Thread-safe, as every parallel-capable class loader.
 */
public final class PluginClassLoader extends URLClassLoader {

    /** The package prefixes shared with pvmm: the SPI. */
    public static final List<String> SPI_PACKAGES = List.of("io.pvmm.api.");

    private static final List<String> SPI_RESOURCES = SPI_PACKAGES.stream().map(p -> p.replace('.', '/')).toList();

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final ClassLoader spiLoader;
    private final String label;

    /**
     * A loader over one backend's jars, sharing the SPI of the loader that loaded pvmm's SPI.
     *
     * @param label what the loader holds, for {@link #toString()}: usually the jar or directory
     * @param urls  the backend's jars (or class directories)
     */
    public PluginClassLoader(String label, List<URL> urls) {
        this(label, urls, spiClassLoader());
    }

    /**
     * A loader over one backend's jars, sharing the SPI of the given loader.
     *
     * @param label     what the loader holds
     * @param urls      the backend's jars
     * @param spiLoader where the SPI classes come from
     */
    public PluginClassLoader(String label, List<URL> urls, ClassLoader spiLoader) {
        super(label, urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        this.spiLoader = Objects.requireNonNull(spiLoader, "spiLoader");
        this.label = label;
    }

    private static ClassLoader spiClassLoader() {
        ClassLoader loader = BackendProvider.class.getClassLoader();
        return loader == null ? ClassLoader.getSystemClassLoader() : loader;
    }

    /**
     * Whether a class belongs to the shared SPI.
     *
     * @param className a binary class name
     * @return whether it is in one of {@link #SPI_PACKAGES}
     */
    public static boolean isSpiClass(String className) {
        return SPI_PACKAGES.stream().anyMatch(className::startsWith);
    }

    private static boolean isSpiResource(String name) {
        return SPI_RESOURCES.stream().anyMatch(name::startsWith);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> type = findLoadedClass(name);
            if (type == null) {
                if (isSpiClass(name)) {
                    type = spiLoader.loadClass(name);
                } else if (name.startsWith("java.")) {
                    type = getParent().loadClass(name);
                } else {
                    try {
                        type = findClass(name);
                    } catch (ClassNotFoundException e) {
                        type = getParent().loadClass(name);
                    }
                }
            }
            if (resolve) {
                resolveClass(type);
            }
            return type;
        }
    }

    @Override
    public URL getResource(String name) {
        if (isSpiResource(name)) {
            return spiLoader.getResource(name);
        }
        URL url = findResource(name);
        return url != null ? url : getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (isSpiResource(name)) {
            return spiLoader.getResources(name);
        }
        List<URL> urls = new ArrayList<>(Collections.list(findResources(name)));
        urls.addAll(Collections.list(getParent().getResources(name)));
        return Collections.enumeration(urls);
    }

    @Override
    public String toString() {
        return "PluginClassLoader[" + label + "]@" + Integer.toHexString(System.identityHashCode(this));
    }
}
