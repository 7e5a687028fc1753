package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.BackendSettings;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The backend compatibility kit: what every pvmm backend owes, checked by driving the real guest
 * kernel model on it. A backend proves itself with one class:
 *
 * <pre>{@code
 * class MyBackendTest extends ParavirtOpsCompatibilityKit {
 *     @Override
 *     protected BackendProvider provider() {
 *         return new MyProvider();
 *     }
 * }
 * }</pre>
 *
 * <p>Optionally it overrides {@link #settings()} (the backend's settings for every run),
 * {@link #hasBehavior(Behavior)} (the refusals the kit knows that it makes beyond what every backend
 * must accept, and whether its audit finds guest bugs), {@link #refusals()} (its own rules, each with a
 * guest action that breaks it) and {@link #auditedBugs()} (the guest bugs its audit finds). Tests
 * that do not apply — a paging mode the provider does not declare, large pages it forbids, a behaviour
 * it does not declare — are reported skipped, with the reason printed to the console as well.
 *
 * <p>The groups, each a test factory of the backend's own class (so build tools report every result
 * under that class): the provider's contract; boot and platform; processes; page faults, munmap and
 * mprotect; {@code change_page_attr}; lazy MMU mode; several vCPUs; hooks, audit and counters; entries;
 * violations; your refusals; your audit. Each test is named after the rule it checks.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class ParavirtOpsCompatibilityKit {

    private BackendUnderTest backend;

    /**
     * The provider of the backend under test, as the runtime would find it. Called before each test.
     *
     * @return a new provider instance
     */
    protected abstract BackendProvider provider();

    /**
     * The settings every run of the backend uses, keys without the {@code pvmm.<name>.} prefix.
     *
     * @return the settings; none by default, so the provider's defaults apply
     */
    protected Map<String, String> settings() {
        return Map.of();
    }

    /**
     * Whether the backend has a behaviour beyond what every backend owes.
     *
     * @param behavior a behaviour
     * @return whether the backend has it; {@link Behavior#byDefault()} unless overridden
     */
    protected boolean hasBehavior(Behavior behavior) {
        return behavior.byDefault();
    }

    /**
     * The backend's own rules, each with a guest action that breaks it: the kit drives each action and
     * checks that its rule fires, and that the rule never fires on a correct guest.
     *
     * @return the refusals; none by default
     */
    protected List<Refusal> refusals() {
        return List.of();
    }

    /**
     * The guest bugs the backend's audit finds, each with the rule its finding names, for a backend
     * that declares {@link Behavior#AUDIT_FINDS_GUEST_BUGS}: the kit runs each and expects its finding
     * from an audit during the run.
     *
     * @return the audited bugs; none by default
     */
    protected List<AuditedBug> auditedBugs() {
        return List.of();
    }

    /**
     * Told of every kit test that does not apply, with the reason; prints it, so that it shows in the
     * build's console and not only in the test reports.
     *
     * @param test   the test's path of display names
     * @param reason why it does not apply
     */
    protected void reportSkipped(String test, String reason) {
        System.out.println("[pvmm kit] " + getClass().getSimpleName() + ": skipped: " + test + ": " + reason);
    }

    /** @return a backend under test as this class describes it, with a new provider */
    private BackendUnderTest describeTheBackend() {
        BackendProvider provider = provider();
        assertThat(provider).as("%s.provider()", getClass().getSimpleName()).isNotNull();
        return new BackendUnderTest(provider, settings(), this::hasBehavior).withRefusals(refusals())
                .withAuditedBugs(auditedBugs());
    }

    @BeforeEach
    void describeTheBackendUnderTest() {
        backend = describeTheBackend();
    }

    /** @return the backend under test of the current test */
    protected final BackendUnderTest backendUnderTest() {
        return backend;
    }

    private <T extends KitRules> Stream<DynamicNode> group(String name, Class<T> type, Function<Supplier<BackendUnderTest>, ? extends T> make) {
        return KitGroup.of(name, type, make).tests(this::describeTheBackend, this::reportSkipped);
    }

    @Test
    @Order(1)
    @DisplayName("the test class's name ends in Test, so build tools run it")
    void testClassNameEndsInTest() {
        assertThat(getClass().getSimpleName()).endsWith("Test");
    }

    @Test
    @Order(2)
    @DisplayName("provider() returns a provider")
    void providerIsNotNull() {
        assertThat(provider()).isNotNull();
    }

    @Test
    @Order(3)
    @DisplayName("the settings the test configures are accepted by the provider")
    void configuredSettingsAreAccepted() {
        assertThatCode(() -> BackendSettings.of(backend.provider().settings(), settings())).doesNotThrowAnyException();
    }

    /** @return the provider: construction, name, version, modes, platform, settings, creation */
    @TestFactory
    @Order(10)
    @DisplayName("the provider")
    Stream<DynamicNode> theProvider() {
        return group("the provider", ProviderRules.class, s -> new ProviderRules(s) { });
    }

    /** @return boot in each declared mode, the direct map, and the platform requirements */
    @TestFactory
    @Order(20)
    @DisplayName("boot and platform")
    Stream<DynamicNode> bootAndPlatform() {
        return group("boot and platform", BootRules.class, s -> new BootRules(s) { });
    }

    /** @return exec, fork, copy-on-write and exit */
    @TestFactory
    @Order(30)
    @DisplayName("processes")
    Stream<DynamicNode> processes() {
        return group("processes", ProcessRules.class, s -> new ProcessRules(s) { });
    }

    /** @return page faults, munmap and mprotect */
    @TestFactory
    @Order(40)
    @DisplayName("page faults, munmap and mprotect")
    Stream<DynamicNode> addressSpaces() {
        return group("page faults, munmap and mprotect", AddressSpaceRules.class, s -> new AddressSpaceRules(s) { });
    }

    /** @return splitting and reverting large pages of the direct map */
    @TestFactory
    @Order(50)
    @DisplayName("change_page_attr")
    Stream<DynamicNode> pageAttributes() {
        return group("change_page_attr", PageAttrRules.class, s -> new PageAttrRules(s) { });
    }

    /** @return writes batched in lazy MMU mode */
    @TestFactory
    @Order(60)
    @DisplayName("lazy MMU mode")
    Stream<DynamicNode> lazyMmu() {
        return group("lazy MMU mode", LazyMmuRules.class, s -> new LazyMmuRules(s) { });
    }

    /** @return several vCPUs at once */
    @TestFactory
    @Order(70)
    @DisplayName("several vCPUs")
    Stream<DynamicNode> severalVcpus() {
        return group("several vCPUs", SmpRules.class, s -> new SmpRules(s) { });
    }

    /** @return hook balance, audits and counters */
    @TestFactory
    @Order(80)
    @DisplayName("hooks, audit and counters")
    Stream<DynamicNode> bookkeeping() {
        return group("hooks, audit and counters", BookkeepingRules.class, s -> new BookkeepingRules(s) { });
    }

    /** @return the typed cost events */
    @TestFactory
    @Order(85)
    @DisplayName("cost events")
    Stream<DynamicNode> costEvents() {
        return group("cost events", CostEventRules.class, s -> new CostEventRules(s) { });
    }

    /** @return makeEntry and entryValue */
    @TestFactory
    @Order(90)
    @DisplayName("entries")
    Stream<DynamicNode> entries() {
        return group("entries", EntryRules.class, s -> new EntryRules(s) { });
    }

    /** @return what a backend refuses, and how */
    @TestFactory
    @Order(100)
    @DisplayName("violations")
    Stream<DynamicNode> violations() {
        return group("violations", ViolationRules.class, s -> new ViolationRules(s) { });
    }

    /** @return the backend's own rules: each fires when its action breaks it, and never on a correct guest */
    @TestFactory
    @Order(110)
    @DisplayName("your refusals")
    Stream<DynamicNode> yourRefusals() {
        return RefusalRules.tests(this::describeTheBackend).map(n -> KitGroup.reporting(n, "your refusals", this::reportSkipped));
    }

    /** @return the backend's audit finds the guest bugs it declares; a backend that declares no audit is told so */
    @TestFactory
    @Order(120)
    @DisplayName("your audit")
    Stream<DynamicNode> yourAudit() {
        return AuditRules.tests(this::describeTheBackend).map(n -> KitGroup.reporting(n, "your audit", this::reportSkipped));
    }
}
