package io.pvmm.runtime.plugin;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.SpiVersion;
import io.pvmm.runtime.discovery.BackendDiscovery;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

/**
 * Validates a third-party backend jar before it is installed, the way the runtime will load it: in a
 * {@link PluginClassLoader} of its own. The checks, in order:
 * <ol>
 *   <li>the file is a readable jar;</li>
 *   <li>it registers exactly one provider in {@code META-INF/services/io.pvmm.api.BackendProvider};</li>
 *   <li>its {@code module-info} (read with {@link ModuleFinder}), if it has one, {@code provides}
 *       {@code io.pvmm.api.BackendProvider} with that same class;</li>
 *   <li>it holds no copy of the SPI's classes ({@code io/pvmm/api/});</li>
 *   <li>the provider loads, is a {@code BackendProvider}, constructs, and describes itself
 *       (name, description, SPI version, modes, platform, settings);</li>
 *   <li>the SPI version it was built against is compatible with this runtime's;</li>
 *   <li>its name is not already taken by a backend pvmm finds (built in, or installed on the backend
 *       path): with both installed, the name would be ambiguous (PVMM-E003);</li>
 *   <li>its {@code create()} builds a backend on which a small guest boots, in every declared mode,
 *       with no violation and an empty audit.</li>
 * </ol>
 * A jar that is not a backend at all (no readable jar, no registration in either form) is
 * {@link PvmmError#NOT_A_BACKEND_JAR}; a {@code module-info} that {@code provides} the service
 * without a service file fails check 2, as the class path (where pvmm loads {@code backends/} jars)
 * reads only the file; an incompatible SPI version alone is {@link PvmmError#INCOMPATIBLE_SPI_VERSION};
 * any other failure is {@link PvmmError#BACKEND_JAR_CHECK_FAILED}.
 */
public final class BackendJarCheck {

    private static final String SPI_SERVICE = BackendProvider.class.getName();
    private static final String SPI_DIRECTORY = "io/pvmm/api/";

    /**
     * One check's outcome.
     *
     * @param name   what was checked, e.g. {@code one provider registered}
     * @param ok     whether it passed
     * @param detail what was found
     */
    public record Check(String name, boolean ok, String detail) {
    }

    /**
     * Every check run on a jar, stopping where a failure makes the rest meaningless.
     *
     * @param jar     the jar, absolute
     * @param checks  the outcomes, in order
     * @param backend the backend as the runtime would list it, when its provider described itself
     * @param error   the error to report when a check failed, else empty
     */
    public record Result(Path jar, List<Check> checks, Optional<DiscoveredBackend> backend, Optional<PvmmException> error) {

        /**
         * Copies the list.
         *
         * @param jar     the jar
         * @param checks  the outcomes
         * @param backend the backend
         * @param error   the error
         */
        public Result {
            checks = List.copyOf(checks);
        }

        /** @return whether every check passed */
        public boolean passed() {
            return error.isEmpty();
        }
    }

    private BackendJarCheck() {
    }

    /**
     * Checks a jar on its own, with no other backend to clash with.
     *
     * @param jar the jar
     * @return the checks and, if one failed, the error to report
     */
    public static Result check(Path jar) {
        return check(jar, BackendRegistry.of(List.of(), List.of(), "nothing"));
    }

    /**
     * Checks a jar against the backends pvmm finds.
     *
     * @param jar       the jar
     * @param installed the backends pvmm finds without it (a copy of the jar itself on the backend path
     *                  is not a clash)
     * @return the checks and, if one failed, the error to report
     */
    public static Result check(Path jar, BackendRegistry installed) {
        Path path = jar.toAbsolutePath().normalize();
        List<Check> checks = new ArrayList<>();
        List<String> providers;
        List<String> spiCopies;
        try (JarFile file = new JarFile(path.toFile())) {
            checks.add(new Check("readable jar", true, file.size() + " entries"));
            providers = serviceLines(file);
            spiCopies = Collections.list(file.entries()).stream().map(JarEntry::getName)
                    .filter(n -> n.startsWith(SPI_DIRECTORY) && n.endsWith(".class")).toList();
        } catch (IOException | SecurityException e) {
            checks.add(new Check("readable jar", false, Files.exists(path) ? "cannot be read as a jar: " + e.getMessage() : "no such file"));
            return notABackend(path, checks, Files.exists(path) ? "It cannot be read as a jar: " + PvmmException.describe(e) + "."
                    : "No such file.");
        }
        if (providers.size() != 1) {
            List<String> provided = providers.isEmpty() ? moduleProviders(path) : List.of();
            String detail = !provided.isEmpty() ? "module-info provides " + SPI_SERVICE + " with " + String.join(", ", provided)
                    + ", but there is no META-INF/services/" + SPI_SERVICE + ": pvmm loads backends/ jars on the class path, "
                    + "where only the service file is read, so it would ignore this jar; add the file, one line: " + provided.get(0)
                    : providers.isEmpty() ? "META-INF/services/" + SPI_SERVICE + " is missing or empty"
                    : providers.size() + " providers: " + String.join(", ", providers) + "; a backend jar registers exactly one";
            checks.add(new Check("one provider registered", false, detail));
            if (providers.isEmpty() && provided.isEmpty()) {
                return notABackend(path, checks, "It registers no " + SPI_SERVICE + " in META-INF/services.");
            }
            return finish(path, checks, null);
        }
        String provider = providers.get(0);
        checks.add(new Check("one provider registered", true, provider + " (META-INF/services)"));
        checks.add(moduleCheck(path, provider));
        checks.add(spiCopies.isEmpty() ? new Check("no copy of the SPI classes", true, "none under " + SPI_DIRECTORY)
                : new Check("no copy of the SPI classes", false, "the jar holds " + spiCopies.size() + " classes of io.pvmm.api (e.g. "
                        + spiCopies.get(0) + "); depend on pvmm-api with scope provided"));
        DiscoveredBackend backend = null;
        try (PluginClassLoader loader = new PluginClassLoader(path.toString(), BackendPath.urls(List.of(path)))) {
            backend = construct(loader, provider, path, checks);
            if (backend != null) {
                boolean compatible = SpiVersion.isCompatible(backend.spiVersion());
                checks.add(new Check("SPI version compatible", compatible, "built against " + backend.spiVersion()
                        + ", this runtime's is " + SpiVersion.CURRENT));
                checks.add(nameCheck(backend, path, installed));
                if (compatible) {
                    checks.add(BootCheck.boot(backend));
                }
            }
        } catch (IOException e) {
            checks.add(new Check("provider constructs", false, PvmmException.describe(e)));
        }
        return finish(path, checks, backend);
    }

    private static DiscoveredBackend construct(ClassLoader loader, String provider, Path path, List<Check> checks) {
        try {
            Class<?> type = Class.forName(provider, false, loader);
            if (!BackendProvider.class.isAssignableFrom(type)) {
                boolean ownCopy = type.getInterfaces().length > 0 && java.util.Arrays.stream(type.getInterfaces())
                        .anyMatch(i -> i.getName().equals(SPI_SERVICE));
                checks.add(new Check("provider constructs", false, provider + " is not an " + SPI_SERVICE
                        + (ownCopy ? " of this runtime (it implements a copy of the interface)" : "")));
                return null;
            }
            BackendProvider instance = (BackendProvider) type.getConstructor().newInstance();
            DiscoveredBackend backend = DiscoveredBackend.describe(instance, path.toString());
            checks.add(new Check("provider constructs", true, "'" + backend.name() + "': " + backend.description()));
            return backend;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
            checks.add(new Check("provider constructs", false, PvmmException.describe(cause)));
            return null;
        }
    }

    private static Check nameCheck(DiscoveredBackend backend, Path path, BackendRegistry installed) {
        String name = "name not taken";
        List<DiscoveredBackend> taken = installed.backends().stream()
                .filter(b -> b.name().equals(backend.name()) && !samePlace(b.location(), path)).toList();
        if (taken.isEmpty()) {
            return new Check(name, true, "no other backend pvmm finds is named '" + backend.name() + "'");
        }
        return new Check(name, false, "'" + backend.name() + "' is already " + taken.stream()
                .map(b -> b.providerClass() + " (" + b.location() + ")").collect(Collectors.joining(" and "))
                + ": with both installed, '" + backend.name() + "' would be ambiguous (PVMM-E003); choose another name()");
    }

    private static boolean samePlace(String location, Path jar) {
        try {
            return Path.of(location).toAbsolutePath().normalize().equals(jar);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The providers a jar's {@code module-info} declares, or none when it has none. */
    static List<String> moduleProviders(Path path) {
        try {
            return ModuleFinder.of(path).findAll().stream().findFirst().map(ModuleReference::descriptor)
                    .filter(d -> !d.isAutomatic()).stream()
                    .flatMap(d -> d.provides().stream()).filter(p -> p.service().equals(SPI_SERVICE))
                    .flatMap(p -> p.providers().stream()).toList();
        } catch (FindException e) {
            return List.of();
        }
    }

    private static Check moduleCheck(Path path, String provider) {
        String name = "module-info agrees";
        ModuleReference ref;
        try {
            ref = ModuleFinder.of(path).findAll().stream().findFirst().orElse(null);
        } catch (FindException e) {
            return new Check(name, false, "the module descriptor cannot be read: " + PvmmException.describe(e));
        }
        if (ref == null) {
            return new Check(name, false, "no module found in the jar");
        }
        ModuleDescriptor d = ref.descriptor();
        if (d.isAutomatic()) {
            return new Check(name, true, "no module-info (automatic module " + d.name() + "): class path only");
        }
        List<String> provided = d.provides().stream().filter(p -> p.service().equals(SPI_SERVICE))
                .flatMap(p -> p.providers().stream()).toList();
        if (provided.equals(List.of(provider))) {
            return new Check(name, true, "module " + d.name() + " provides " + SPI_SERVICE + " with " + provider);
        }
        return new Check(name, false, "module " + d.name() + (provided.isEmpty() ? " provides no " + SPI_SERVICE
                : " provides " + SPI_SERVICE + " with " + String.join(", ", provided)) + ", the service file names " + provider);
    }

    private static List<String> serviceLines(JarFile file) throws IOException {
        JarEntry entry = file.getJarEntry(BackendDiscovery.SERVICE_FILE);
        List<String> names = new ArrayList<>();
        if (entry == null) {
            return names;
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(file.getInputStream(entry), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                int hash = line.indexOf('#');
                String n = (hash < 0 ? line : line.substring(0, hash)).trim();
                if (!n.isEmpty()) {
                    names.add(n);
                }
            }
        }
        return names;
    }

    private static Result notABackend(Path path, List<Check> checks, String problem) {
        return new Result(path, checks, Optional.empty(), Optional.of(new PvmmException(PvmmError.NOT_A_BACKEND_JAR, null,
                Map.of("path", path.toString(), "problem", problem))));
    }

    private static Result finish(Path path, List<Check> checks, DiscoveredBackend backend) {
        List<Check> failed = checks.stream().filter(c -> !c.ok()).toList();
        if (failed.isEmpty()) {
            return new Result(path, checks, Optional.of(backend), Optional.empty());
        }
        if (failed.size() == 1 && failed.get(0).name().equals("SPI version compatible") && backend != null) {
            return new Result(path, checks, Optional.of(backend), Optional.of(new PvmmException(PvmmError.INCOMPATIBLE_SPI_VERSION,
                    path.toString(), Map.of("name", backend.name(), "providerVersion", backend.spiVersion(),
                    "runtimeVersion", SpiVersion.CURRENT, "provider", backend.providerClass(), "location", path.toString()))));
        }
        String problems = failed.stream().map(c -> "failed: " + c.name() + ": " + c.detail()).collect(Collectors.joining("\n"));
        return new Result(path, checks, Optional.ofNullable(backend), Optional.of(new PvmmException(PvmmError.BACKEND_JAR_CHECK_FAILED,
                null, Map.of("path", path.toString(), "failed", failed.size(), "problems", problems))));
    }
}
