package io.pvmm.tck;

import io.pvmm.api.BackendProvider;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a backend declares to the kit — its behaviours, its own refusals, the guest bugs its audit
 * finds, its settings — as its own kit subclass would declare them, for a launcher that runs the kit on
 * every backend it discovers ({@link KitLauncher}) rather than through one subclass per backend. A
 * backend registers one with {@link ServiceLoader} where its tests live (a file
 * {@code META-INF/services/io.pvmm.tck.KitDeclaration} in its test resources, shipped in its test jar),
 * so adding a backend changes no list kept elsewhere:
 *
 * <pre>{@code
 * public final class MyKitDeclaration implements KitDeclaration {
 *     public String backend() { return "mine"; }
 *     public Set<Behavior> behaviors() { return EnumSet.of(Behavior.REJECTS_DOUBLE_ANNOUNCE); }
 * }
 * }</pre>
 *
 * <p>A backend that registers none declares nothing: the kit then fails it for any refusal it makes,
 * naming the behaviour to declare, and says that it declares no audit.
 */
public interface KitDeclaration {

    /** @return the name of the backend the declaration is for, as its provider gives it */
    String backend();

    /** @return the behaviours it has beyond what every backend owes; none by default */
    default Set<Behavior> behaviors() {
        return Set.of();
    }

    /** @return its own rules, each with the guest action that breaks it; none by default */
    default List<Refusal> refusals() {
        return List.of();
    }

    /** @return the guest bugs its audit finds ({@link Behavior#AUDIT_FINDS_GUEST_BUGS}); none by default */
    default List<AuditedBug> auditedBugs() {
        return List.of();
    }

    /** @return the settings it runs the kit with, keys without the {@code pvmm.<name>.} prefix; none by default */
    default Map<String, String> settings() {
        return Map.of();
    }

    /**
     * Every declaration on the class path, by backend.
     *
     * @return the declarations
     * @throws IllegalStateException if two declare the same backend
     */
    static Map<String, KitDeclaration> discovered() {
        Map<String, KitDeclaration> byBackend = new TreeMap<>();
        for (KitDeclaration d : ServiceLoader.load(KitDeclaration.class)) {
            KitDeclaration other = byBackend.putIfAbsent(d.backend(), d);
            if (other != null) {
                throw new IllegalStateException("two kit declarations for the backend '" + d.backend() + "': "
                        + other.getClass().getName() + " and " + d.getClass().getName());
            }
        }
        return byBackend;
    }

    /**
     * A provider as the kit is to check it: with what its declaration on the class path says, or
     * declaring nothing when it has none.
     *
     * @param provider a provider
     * @return the backend under test
     */
    static BackendUnderTest describe(BackendProvider provider) {
        KitDeclaration d = discovered().get(provider.name());
        if (d == null) {
            return new BackendUnderTest(provider, Map.of(), Behavior::byDefault);
        }
        Set<Behavior> behaviors = Set.copyOf(d.behaviors());
        return new BackendUnderTest(provider, d.settings(), behaviors::contains).withRefusals(d.refusals())
                .withAuditedBugs(d.auditedBugs());
    }
}
