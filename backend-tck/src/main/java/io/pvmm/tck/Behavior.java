package io.pvmm.tck;

/**
 * What a backend may do beyond what every backend owes, declared by overriding
 * {@link ParavirtOpsCompatibilityKit#hasBehavior(Behavior)} in the manner of Trino's
 * {@code TestingConnectorBehavior}. The kit runs the tests of a declared behaviour and checks that an
 * undeclared one is really absent, so a declaration cannot drift from what the backend does.
 *
 * <pre>{@code
 * @Override
 * protected boolean hasBehavior(Behavior behavior) {
 *     return switch (behavior) {
 *         case REJECTS_DOUBLE_ANNOUNCE, REJECTS_RELEASE_OF_UNANNOUNCED_FRAME -> true;
 *         default -> super.hasBehavior(behavior);
 *     };
 * }
 * }</pre>
 */
public enum Behavior {

    /**
     * The backend tracks which frames are page tables and refuses, with a {@link io.pvmm.api.ParavirtViolation},
     * an {@code allocPt} of a frame it already tracks (vmi.c's "alloc on a typed page"). Native accepts it.
     */
    REJECTS_DOUBLE_ANNOUNCE(false),

    /**
     * The backend refuses, with a {@link io.pvmm.api.ParavirtViolation}, a {@code releasePt} of a frame that
     * was never announced (vmi.c's "release of an untyped page"). Native accepts it.
     */
    REJECTS_RELEASE_OF_UNANNOUNCED_FRAME(false),

    /**
     * The backend finds the guest's page tables without the five lifecycle hooks, from what the
     * hardware shows it — the roots loaded into CR3, the stores that trap on frames it write-protects
     * ({@link io.pvmm.api.WriteProtection}) — as a full-virtualization monitor does. It cannot see an
     * announcement or a release, so it refuses none: the hook refusals are skipped for it with that
     * reason, and the kit runs whole workloads with the hooks withheld from it, which must stay clean.
     * Not a refusal: a backend that does not declare it may or may not use the hooks.
     */
    FINDS_PAGE_TABLES_WITHOUT_HOOKS(false, false),

    /**
     * The backend's {@link io.pvmm.api.ParavirtOps#audit()} compares its own state with the guest's and
     * finds guest bugs, each declared as an {@link AuditedBug}: the kit runs each declared bug's guest,
     * auditing at quiescent points during the run as every run is audited
     * ({@link io.pvmm.guest.run.AuditSchedule}), and checks that the audit found the declared rule.
     * Without it, every rule that expects an empty audit passes an {@code audit()} that always returns
     * nothing; a backend that does not declare it is told so, in a skipped test with that reason.
     * Not a refusal.
     */
    AUDIT_FINDS_GUEST_BUGS(false, false);

    private final boolean byDefault;
    private final boolean refusal;

    Behavior(boolean byDefault) {
        this(byDefault, true);
    }

    Behavior(boolean byDefault, boolean refusal) {
        this.byDefault = byDefault;
        this.refusal = refusal;
    }

    /**
     * Whether the behaviour is a refusal, whose absence the kit checks by doing what it refuses.
     *
     * @return true for the {@code REJECTS_} behaviours
     */
    public boolean isRefusal() {
        return refusal;
    }

    /**
     * What a backend that does not say otherwise is assumed to do.
     *
     * @return the default
     */
    public boolean byDefault() {
        return byDefault;
    }
}
