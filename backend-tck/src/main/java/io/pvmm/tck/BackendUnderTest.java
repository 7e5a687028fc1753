package io.pvmm.tck;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendProvider;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.GuestMachine;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.Workload;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The backend a kit run is about: its provider, the settings it runs with and the behaviours it
 * declares, with the ways the kit drives it — whole runs of the real guest model, or a booted guest
 * whose backend a test calls directly.
 */
public final class BackendUnderTest {

    private final BackendProvider provider;
    private final Map<String, String> settings;
    private final Predicate<Behavior> behaviors;
    private final List<Refusal> refusals;
    private final List<AuditedBug> auditedBugs;

    /**
     * Describes a backend under test.
     *
     * @param provider  its provider
     * @param settings  the settings it runs with, keys without the {@code pvmm.<name>.} prefix
     * @param behaviors which {@link Behavior}s it declares
     */
    public BackendUnderTest(BackendProvider provider, Map<String, String> settings, Predicate<Behavior> behaviors) {
        this(provider, settings, behaviors, List.of(), List.of());
    }

    private BackendUnderTest(BackendProvider provider, Map<String, String> settings, Predicate<Behavior> behaviors,
                             List<Refusal> refusals, List<AuditedBug> auditedBugs) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.settings = Map.copyOf(settings);
        this.behaviors = Objects.requireNonNull(behaviors, "behaviors");
        this.refusals = List.copyOf(refusals);
        this.auditedBugs = List.copyOf(auditedBugs);
    }

    /**
     * The same backend with its own rules declared, each with the guest action that breaks it.
     *
     * @param declared the refusals the kit drives
     * @return a new description
     */
    public BackendUnderTest withRefusals(List<Refusal> declared) {
        return new BackendUnderTest(provider, settings, behaviors, declared, auditedBugs);
    }

    /**
     * The same backend with the guest bugs its audit finds declared ({@link Behavior#AUDIT_FINDS_GUEST_BUGS}).
     *
     * @param declared the audited bugs the kit drives
     * @return a new description
     */
    public BackendUnderTest withAuditedBugs(List<AuditedBug> declared) {
        return new BackendUnderTest(provider, settings, behaviors, refusals, declared);
    }

    /** @return the guest bugs the backend's audit finds, each with the rule its finding names */
    public List<AuditedBug> auditedBugs() {
        return auditedBugs;
    }

    /** @return the backend's own rules, each with the guest action that breaks it */
    public List<Refusal> refusals() {
        return refusals;
    }

    /** @return the provider */
    public BackendProvider provider() {
        return provider;
    }

    /** @return the backend's name */
    public String name() {
        return provider.name();
    }

    /** @return the settings the backend runs with */
    public Map<String, String> settings() {
        return settings;
    }

    /**
     * Whether the backend declares a behaviour.
     *
     * @param behavior a behaviour
     * @return whether it is declared
     */
    public boolean has(Behavior behavior) {
        return behaviors.test(behavior);
    }

    /** @return the paging modes the provider declares, in the enum's order */
    public List<PagingMode> modes() {
        return Arrays.stream(PagingMode.values()).filter(provider.pagingModes()::contains).toList();
    }

    /**
     * What the backend requires of the guest in a mode.
     *
     * @param mode a declared mode
     * @return the requirements
     */
    public PlatformRequirements platform(PagingMode mode) {
        return provider.platform(mode);
    }

    /** @return a factory that creates the backend with its settings, as the runtime would */
    public BackendFactory factory() {
        return BackendFactory.of(provider, settings);
    }

    /**
     * Runs a workload on the real guest model with this backend.
     *
     * @param mode     a declared paging mode
     * @param config   the guest's settings
     * @param workload what to run
     * @param observer what watches the run
     * @return the report
     */
    public RunReport run(PagingMode mode, GuestConfig config, Workload workload, RunObserver observer) {
        return new GuestRun(mode, config, workload).observe(observer).run(factory());
    }

    /**
     * Builds a guest machine, creates the backend for it and boots the kernel, on the calling thread
     * (which acts as CPU 0), so a test can then call the backend directly.
     *
     * @param mode   a declared paging mode
     * @param config the guest's settings
     * @return the booted guest
     */
    public Booted boot(PagingMode mode, GuestConfig config) {
        GuestMachine machine = GuestMachine.create(mode, config, provider.platform(mode));
        BackendContext context = machine.backendContext(BackendSettings.of(provider.settings(), settings));
        ParavirtOps ops = provider.create(context);
        return new Booted(ops, machine.boot(ops));
    }

    /**
     * A guest booted on the backend.
     *
     * @param ops    the backend, as the provider created it
     * @param kernel the booted kernel
     */
    public record Booted(ParavirtOps ops, GuestKernel kernel) {

        /**
         * A pte table of the kernel's own, announced at boot and still linked: the first one
         * {@code swapper_pg_dir}'s kernel half links.
         *
         * @return its frame number
         */
        public long kernelPteTable() {
            return ViolationRules.kernelPteTable(kernel);
        }

        /**
         * A lowmem frame in the guest's free pool, never announced.
         *
         * @return its frame number
         */
        public long freeFrame() {
            return ViolationRules.freeFrame(kernel);
        }
    }

    @Override
    public String toString() {
        return provider.name();
    }
}
