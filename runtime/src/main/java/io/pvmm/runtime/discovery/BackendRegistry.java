package io.pvmm.runtime.discovery;

import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What discovery found: the providers, sorted by name then location, the registrations that failed
 * to load, and where discovery looked. Immutable.
 *
 * <p>Two providers with one name are both kept, so that listings show them and
 * {@link #requireUniqueNames()} can name both locations.
 */
public final class BackendRegistry {

    private final List<DiscoveredBackend> backends;
    private final List<ProviderFailure> failures;
    private final String searched;
    private final List<PvmmException> pathProblems;

    private BackendRegistry(List<DiscoveredBackend> backends, List<ProviderFailure> failures, String searched,
                            List<PvmmException> pathProblems) {
        List<DiscoveredBackend> sorted = new ArrayList<>(backends);
        sorted.sort(Comparator.comparing(DiscoveredBackend::name).thenComparing(DiscoveredBackend::location));
        this.backends = List.copyOf(sorted);
        this.failures = List.copyOf(failures);
        this.searched = searched;
        this.pathProblems = List.copyOf(pathProblems);
    }

    /**
     * A registry of the given providers and failures.
     *
     * @param backends the providers found
     * @param failures the registrations that failed
     * @param searched where discovery looked, in words, for {@link PvmmError#NO_BACKEND}
     * @return the registry
     */
    public static BackendRegistry of(List<DiscoveredBackend> backends, List<ProviderFailure> failures, String searched) {
        return new BackendRegistry(backends, failures, searched, List.of());
    }

    /**
     * The same registry, with what the backend path left out.
     *
     * @param problems the backend path's bad entries (PVMM-E033 to E037), as warnings
     * @return a new registry
     */
    public BackendRegistry withPathProblems(List<PvmmException> problems) {
        return new BackendRegistry(backends, failures, searched, problems);
    }

    /**
     * The backend path's bad entries, each a warning with its code.
     *
     * @return the problems, in path order
     */
    public List<PvmmException> pathProblems() {
        return pathProblems;
    }

    /**
     * Every provider found, duplicates included, sorted by name then location.
     *
     * @return the providers
     */
    public List<DiscoveredBackend> backends() {
        return backends;
    }

    /**
     * Every registration that failed to load, in the order discovery met them.
     *
     * @return the failures
     */
    public List<ProviderFailure> failures() {
        return failures;
    }

    /**
     * Where discovery looked, in words.
     *
     * @return e.g. {@code the class path of class loader 'app'}
     */
    public String searched() {
        return searched;
    }

    /**
     * The distinct names of the providers found, sorted.
     *
     * @return the names
     */
    public List<String> names() {
        return backends.stream().map(DiscoveredBackend::name).distinct().toList();
    }

    /**
     * The first provider with a name; call {@link #requireUniqueNames()} first to be sure it is the
     * only one.
     *
     * @param name a backend name
     * @return the provider, or empty if none has that name
     */
    public Optional<DiscoveredBackend> find(String name) {
        return backends.stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /**
     * The names shared by more than one provider, each with its providers.
     *
     * @return a map from name to two or more providers, sorted by name; empty when names are unique
     */
    public Map<String, List<DiscoveredBackend>> duplicates() {
        Map<String, List<DiscoveredBackend>> byName = backends.stream()
                .collect(Collectors.groupingBy(DiscoveredBackend::name, LinkedHashMap::new, Collectors.toList()));
        byName.values().removeIf(list -> list.size() < 2);
        return byName;
    }

    /**
     * Fails if no provider was found.
     *
     * @throws PvmmException {@link PvmmError#NO_BACKEND} saying where discovery looked and listing
     *                       the registrations that failed to load
     */
    public void requireBackends() {
        if (backends.isEmpty()) {
            throw new PvmmException(PvmmError.NO_BACKEND, null, Map.of("searched", searched, "failures", describeFailures()));
        }
    }

    /**
     * The registrations that failed to load, as a sentence for messages.
     *
     * @return e.g. {@code Registered but failed to load (PVMM-E004): com.acme.Provider (/a.jar): ...},
     *         or the empty string when nothing failed
     */
    public String describeFailures() {
        List<String> parts = new ArrayList<>();
        if (!failures.isEmpty()) {
            parts.add("Registered but failed to load (" + PvmmError.PROVIDER_LOAD_FAILED.code() + "): " + failures.stream()
                    .map(f -> f.providerClass() + " (" + f.location() + "): " + PvmmException.describe(f.cause()))
                    .collect(Collectors.joining("; ")) + ".");
        }
        if (!pathProblems.isEmpty()) {
            parts.add("Not loaded from the backend path: " + pathProblems.stream()
                    .map(p -> p.getMessage().lines().findFirst().orElse(p.code()))
                    .collect(Collectors.joining("; ")));
        }
        return String.join("\n", parts);
    }

    /**
     * Fails if two providers share a name.
     *
     * @throws PvmmException {@link PvmmError#DUPLICATE_BACKEND} naming the first shared name, each
     *                       provider's class and location, and any other shared names
     */
    public void requireUniqueNames() {
        Map<String, List<DiscoveredBackend>> duplicates = duplicates();
        if (duplicates.isEmpty()) {
            return;
        }
        List<String> others = new ArrayList<>(duplicates.keySet()).subList(1, duplicates.size());
        String more = others.isEmpty() ? "" : "\nOther names with more than one provider: " + String.join(", ", others) + ".";
        throw clash(duplicates.keySet().iterator().next(), more);
    }

    /**
     * Fails if more than one provider has a name: a clash makes only that name ambiguous, and every
     * other backend stays selectable.
     *
     * @param name a backend name
     * @throws PvmmException {@link PvmmError#DUPLICATE_BACKEND} naming each provider's class and location
     */
    public void requireUnique(String name) {
        if (duplicates().containsKey(name)) {
            throw clash(name, "");
        }
    }

    /**
     * The error a clash of one name is reported with, for listings that go on after it.
     *
     * @param name a name more than one provider has
     * @param more a further sentence, or empty
     * @return {@link PvmmError#DUPLICATE_BACKEND} naming each provider's class and location
     */
    public PvmmException clash(String name, String more) {
        String providers = backends.stream().filter(b -> b.name().equals(name))
                .map(b -> "- " + b.providerClass() + " (" + b.location() + ")")
                .collect(Collectors.joining("\n"));
        return new PvmmException(PvmmError.DUPLICATE_BACKEND, null, Map.of("name", name, "providers", providers, "more", more));
    }

    /**
     * The providers as messages list them.
     *
     * @return e.g. {@code native (/opt/pvmm/lib/pvmm-backend-native-1.0.0.jar), xen (...)}
     */
    public String describeBackends() {
        return backends.stream().map(DiscoveredBackend::nameAndLocation).collect(Collectors.joining(", "));
    }
}
