package io.pvmm.api;

import java.util.Objects;

/**
 * Thrown by a backend that refuses a call because the guest broke one of its rules: what a
 * hypervisor's {@code BUG_ON} or a failed hypercall means to the guest. Carries the rule, the frame,
 * and what the rule expected against what the backend found.
 *
 * <pre>{@code
 * throw new ParavirtViolation(Rule.RELEASE_OF_UNTYPED_FRAME, pfn,
 *         "releasePt on a frame that is not a page table", "type L1", "type " + type);
 * }</pre>
 *
 * <p>The backend throws before changing any of its state, so the state stays as it was before the
 * refused call.
 */
public class ParavirtViolation extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient ViolationRule rule;
    private final long pfn;
    private final String expected;
    private final String found;

    /**
     * Creates a violation.
     *
     * @param rule     the rule broken
     * @param pfn      the frame concerned, or -1 when the rule is not about a frame (a vCPU's lazy mode)
     * @param message  what the guest did, in plain words
     * @param expected what the rule expects
     * @param found    what the backend found
     */
    public ParavirtViolation(ViolationRule rule, long pfn, String message, String expected, String found) {
        super(rule.id() + ": " + message + " (" + (pfn < 0 ? "" : "frame 0x" + Long.toHexString(pfn) + ": ")
                + "expected " + expected + ", found " + found + ")");
        this.rule = Objects.requireNonNull(rule, "rule");
        this.pfn = pfn;
        this.expected = Objects.requireNonNull(expected, "expected");
        this.found = Objects.requireNonNull(found, "found");
    }

    /**
     * The rule broken.
     *
     * @return the rule
     */
    public ViolationRule rule() {
        return rule;
    }

    /**
     * The id of the rule broken.
     *
     * @return {@code rule().id()}
     */
    public String ruleId() {
        return rule.id();
    }

    /**
     * The frame concerned.
     *
     * @return the frame number, or -1 when the rule is not about a frame
     */
    public long pfn() {
        return pfn;
    }

    /**
     * What the rule expects.
     *
     * @return the expectation, in the backend's words
     */
    public String expected() {
        return expected;
    }

    /**
     * What the backend found.
     *
     * @return the observation, in the backend's words
     */
    public String found() {
        return found;
    }
}
