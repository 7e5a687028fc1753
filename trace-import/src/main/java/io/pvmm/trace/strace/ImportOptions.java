package io.pvmm.trace.strace;

import java.util.Objects;

/**
 * How an strace log is imported.
 *
 * @param oversize what to do with a mapping that does not fit in the i386 user space
 * @param touch    which pages the replayed program touches
 */
public record ImportOptions(Oversize oversize, TouchPolicy touch) {

    /** The defaults: clip what does not fit, {@link TouchPolicy#DEFAULTS}. */
    public static final ImportOptions DEFAULTS = new ImportOptions(Oversize.CLIP, TouchPolicy.DEFAULTS);

    /** What to do with a mapping that does not fit. */
    public enum Oversize {
        /** Keep the part that fits (nothing, when nothing does) and list it among the warnings. */
        CLIP,
        /** Fail the import at the first such mapping, naming its line; nothing is written. */
        REFUSE
    }

    /**
     * Checks the parts.
     *
     * @param oversize what to do with a mapping that does not fit
     * @param touch    the touch policy
     */
    public ImportOptions {
        Objects.requireNonNull(oversize, "oversize");
        Objects.requireNonNull(touch, "touch");
    }

    /**
     * A copy with another oversize rule.
     *
     * @param o the rule
     * @return the copy
     */
    public ImportOptions withOversize(Oversize o) {
        return new ImportOptions(o, touch);
    }

    /**
     * A copy with another touch policy.
     *
     * @param t the policy
     * @return the copy
     */
    public ImportOptions withTouch(TouchPolicy t) {
        return new ImportOptions(oversize, t);
    }
}
