package io.pvmm.tck;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.Workload;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One rule a backend enforces, declared with a guest action that breaks it, so that the kit can drive
 * the action and check that the rule fires — and that it never fires on a correct guest. An author
 * declares one per rule in {@link ParavirtOpsCompatibilityKit#refusals()}:
 *
 * <pre>{@code
 * @Override
 * protected List<Refusal> refusals() {
 *     return List.of(
 *             Refusal.whenGuest(GuestBug.FREE_BEFORE_RELEASE, "release-of-free-frame"),
 *             Refusal.whenCalled("releasePt of a free frame", b -> b.ops().releasePt(b.freeFrame()), "release-of-unannounced-frame"));
 * }
 * }</pre>
 *
 * <p>Two kinds of action: one of the model's guest bugs ({@link #whenGuest}), run on a whole workload,
 * after which the rule must be among the run's violations or its audit's findings; or a call on a
 * booted guest's backend ({@link #whenCalled}), which must throw a well-formed
 * {@link io.pvmm.api.ParavirtViolation} with the rule's id and change nothing (the audit stays empty).
 * Immutable.
 */
public final class Refusal {

    /** What breaks the rule. */
    private sealed interface Action permits GuestAction, CallAction {
    }

    private record GuestAction(GuestBug bug, Workload workload, int vcpus) implements Action {
    }

    private record CallAction(String what, Consumer<BackendUnderTest.Booted> call) implements Action {
    }

    private final String ruleId;
    private final Action action;
    private final Set<PagingMode> modes;

    private Refusal(String ruleId, Action action, Set<PagingMode> modes) {
        this.ruleId = Objects.requireNonNull(ruleId, "ruleId");
        this.action = action;
        this.modes = Set.copyOf(modes);
        if (!ViolationRules.RULE_ID.matcher(ruleId).matches()) {
            throw new IllegalArgumentException("rule id '" + ruleId + "': lower-case words joined by dashes");
        }
    }

    /**
     * A rule that a guest bug of the model breaks: the kit runs the bug's guest on a small fork and exit
     * workload ({@code fork-exit}), one vCPU, in every declared mode, and expects the rule among the
     * violations or the audit's findings.
     *
     * @param bug    the guest bug
     * @param ruleId the id of the rule that catches it
     * @return the refusal
     */
    public static Refusal whenGuest(GuestBug bug, String ruleId) {
        Objects.requireNonNull(bug, "bug");
        return new Refusal(ruleId, new GuestAction(bug, BuiltInWorkloads.find("fork-exit", BootRules.SMALL).orElseThrow(), 1),
                EnumSet.allOf(PagingMode.class));
    }

    /**
     * A rule that a call the guest would never make breaks: the kit boots a guest on the backend in
     * every declared mode, makes the call, and expects a {@link io.pvmm.api.ParavirtViolation} of the
     * rule that changed nothing.
     *
     * @param what   the call in words, e.g. {@code releasePt of a free frame}
     * @param call   the call, on the booted guest ({@link BackendUnderTest.Booted#kernelPteTable()} and
     *               {@link BackendUnderTest.Booted#freeFrame()} find frames to call it with)
     * @param ruleId the id of the rule that refuses it
     * @return the refusal
     */
    public static Refusal whenCalled(String what, Consumer<BackendUnderTest.Booted> call, String ruleId) {
        return new Refusal(ruleId, new CallAction(Objects.requireNonNull(what, "what"), Objects.requireNonNull(call, "call")),
                EnumSet.allOf(PagingMode.class));
    }

    /**
     * The same refusal, its guest bug run on another workload (a guest bug only).
     *
     * @param workload the workload
     * @param vcpus    the vCPUs of the guest
     * @return the refusal
     * @throws IllegalStateException for a refusal made by a call
     */
    public Refusal on(Workload workload, int vcpus) {
        if (!(action instanceof GuestAction g)) {
            throw new IllegalStateException("a refusal made by a call has no workload");
        }
        return new Refusal(ruleId, new GuestAction(g.bug(), Objects.requireNonNull(workload, "workload"), vcpus), modes);
    }

    /**
     * The same refusal, driven in some modes only (where the action breaks the rule at all: a PAE guest
     * never calls {@code allocPdClone}, so {@code clone-outside-lock} is a two-level bug).
     *
     * @param first  a mode
     * @param others more modes
     * @return the refusal
     */
    public Refusal inModes(PagingMode first, PagingMode... others) {
        return new Refusal(ruleId, action, EnumSet.of(first, others));
    }

    /** @return the id of the rule */
    public String ruleId() {
        return ruleId;
    }

    /** @return the modes it is driven in, of those the backend declares */
    Set<PagingMode> modes() {
        return modes;
    }

    /** @return the guest bug that breaks the rule, when a bug does */
    Optional<GuestBug> bug() {
        return action instanceof GuestAction g ? Optional.of(g.bug()) : Optional.empty();
    }

    /** @return the workload the bug runs on, when a bug breaks the rule */
    Optional<Workload> workload() {
        return action instanceof GuestAction g ? Optional.of(g.workload()) : Optional.empty();
    }

    /** @return the vCPUs of the bug's guest */
    int vcpus() {
        return action instanceof GuestAction g ? g.vcpus() : 1;
    }

    /** @return the call that breaks the rule, when a call does */
    Optional<Consumer<BackendUnderTest.Booted>> call() {
        return action instanceof CallAction c ? Optional.of(c.call()) : Optional.empty();
    }

    /** @return what breaks the rule, in words */
    public String action() {
        return action instanceof GuestAction g ? "the guest bug " + g.bug().settingName() + " (" + g.bug().what() + ")"
                : ((CallAction) action).what();
    }

    @Override
    public String toString() {
        return ruleId + " when " + action();
    }

    static List<Refusal> none() {
        return List.of();
    }
}
