package io.pvmm.runtime.discovery;

import io.pvmm.api.BackendProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Finds backend providers with {@link ServiceLoader}, in explicitly given class loaders, and keeps
 * going when one is broken.
 *
 * <p>Each class loader is searched with {@code ServiceLoader.load(BackendProvider.class, loader)},
 * never with the thread's context class loader. A registration that fails (a service file line
 * naming a missing class or a class that is not a {@code BackendProvider}, a constructor that
 * throws, a provider whose description methods throw) becomes a {@link ProviderFailure} naming the
 * class and where its registration came from, and discovery goes on with the next. The same class
 * seen again from the same location (two loaders that share a parent) is kept once.
 */
public final class BackendDiscovery {

    /** Where a class-path provider registers itself. */
    public static final String SERVICE_FILE = "META-INF/services/" + BackendProvider.class.getName();

    /** A bound on the registrations read from one loader, so a loader that keeps failing cannot loop forever. */
    private static final int MAX_REGISTRATIONS = 10_000;

    private BackendDiscovery() {
    }

    /**
     * Searches the class loader that loaded the SPI itself.
     *
     * @return what was found
     */
    public static BackendRegistry discover() {
        ClassLoader loader = BackendProvider.class.getClassLoader();
        return discover(List.of(loader == null ? ClassLoader.getSystemClassLoader() : loader));
    }

    /**
     * Searches the given class loaders, in order: for example the application's loader, then one
     * loader per plugin jar.
     *
     * @param loaders the class loaders to search
     * @return what was found, duplicates of one class from one location removed
     */
    public static BackendRegistry discover(List<ClassLoader> loaders) {
        List<DiscoveredBackend> backends = new ArrayList<>();
        List<ProviderFailure> failures = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ClassLoader loader : loaders) {
            search(Objects.requireNonNull(loader, "loader"), backends, failures, seen);
        }
        String searched = loaders.stream().map(l -> "the class path of " + Locations.describe(l))
                .distinct().collect(Collectors.joining("; "));
        return BackendRegistry.of(backends, failures, searched);
    }

    private static void search(ClassLoader loader, List<DiscoveredBackend> backends,
                               List<ProviderFailure> failures, Set<String> seen) {
        List<ServiceFile> files = ServiceFile.readAll(loader);
        Iterator<ServiceLoader.Provider<BackendProvider>> it =
                ServiceLoader.load(BackendProvider.class, loader).stream().iterator();
        for (int i = 0; i < MAX_REGISTRATIONS; i++) {
            ServiceLoader.Provider<BackendProvider> registration;
            try {
                if (!it.hasNext()) {
                    return;
                }
                registration = it.next();
            } catch (ServiceConfigurationError e) {
                ProviderFailure failure = ServiceFile.blame(files, e);
                if (seen.add("failure " + failure.providerClass() + " " + failure.location() + " " + e.getMessage())) {
                    failures.add(failure);
                }
                continue;
            }
            String className = registration.type().getName();
            String location = Locations.of(registration.type());
            if (!seen.add(className + " " + location)) {
                continue;
            }
            try {
                backends.add(DiscoveredBackend.describe(registration.get(), location));
            } catch (ServiceConfigurationError e) {
                failures.add(new ProviderFailure(className, location, e.getCause() != null ? e.getCause() : e));
            } catch (RuntimeException | LinkageError e) {
                failures.add(new ProviderFailure(className, location, e));
            }
        }
    }

    /** One service file, read independently of ServiceLoader so a failure can be traced to its jar. */
    private record ServiceFile(String url, String location, List<String> classNames) {

        static List<ServiceFile> readAll(ClassLoader loader) {
            List<ServiceFile> files = new ArrayList<>();
            try {
                Enumeration<URL> urls = loader.getResources(SERVICE_FILE);
                while (urls.hasMoreElements()) {
                    URL url = urls.nextElement();
                    files.add(new ServiceFile(url.toString(), Locations.of(url), classNames(url)));
                }
            } catch (IOException e) {
                // ServiceLoader will meet the same problem and report it; this scan only adds locations
            }
            return files;
        }

        private static List<String> classNames(URL url) {
            List<String> names = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    int hash = line.indexOf('#');
                    String name = (hash < 0 ? line : line.substring(0, hash)).trim();
                    if (!name.isEmpty()) {
                        names.add(name);
                    }
                }
            } catch (IOException e) {
                // unreadable: ServiceLoader reports it, with the URL
            }
            return names;
        }

        /** Finds the class and the jar a ServiceLoader error is about, from the names in its message. */
        static ProviderFailure blame(List<ServiceFile> files, ServiceConfigurationError error) {
            String message = String.valueOf(error.getMessage());
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            String bestClass = null;
            String bestLocation = null;
            for (ServiceFile file : files) {
                if (message.contains(file.url())) {
                    bestLocation = file.location();
                }
                for (String name : file.classNames()) {
                    boolean named = message.matches("(?s).*(^|[\\s:])" + Pattern.quote(name) + "($|[\\s:]).*");
                    if (named && (bestClass == null || name.length() > bestClass.length())) {
                        bestClass = name;
                        bestLocation = file.location();
                    }
                }
            }
            return new ProviderFailure(bestClass == null ? "(unknown)" : bestClass,
                    bestLocation == null ? "unknown location" : bestLocation, cause);
        }
    }
}
