package io.pvmm.api;

import java.util.Objects;

/**
 * One inconsistency that {@link ParavirtOps#audit()} found between a backend's state and the guest's
 * memory, named by the rule it breaks.
 *
 * @param rule     the rule broken
 * @param pfn      the frame concerned, or -1 when the finding is not about a frame
 * @param index    the entry concerned, or -1 when the finding is about the whole frame
 * @param message  what is wrong, in plain words
 * @param expected what the rule expects
 * @param found    what the audit found
 */
public record Finding(ViolationRule rule, long pfn, int index, String message, String expected, String found) {

    /**
     * Checks the finding is complete.
     *
     * @param rule     the rule broken
     * @param pfn      the frame concerned
     * @param index    the entry, or -1
     * @param message  what is wrong
     * @param expected what was expected
     * @param found    what was found
     */
    public Finding {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(found, "found");
    }

    /**
     * The id of the rule broken.
     *
     * @return {@code rule().id()}
     */
    public String ruleId() {
        return rule.id();
    }

    @Override
    public String toString() {
        String where = pfn < 0 ? "" : "frame 0x" + Long.toHexString(pfn) + (index >= 0 ? ", entry " + index : "") + ": ";
        return rule.id() + ": " + message + " (" + where + "expected " + expected + ", found " + found + ")";
    }
}
