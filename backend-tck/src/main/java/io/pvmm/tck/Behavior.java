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
    REJECTS_RELEASE_OF_UNANNOUNCED_FRAME(false);

    private final boolean byDefault;

    Behavior(boolean byDefault) {
        this.byDefault = byDefault;
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
