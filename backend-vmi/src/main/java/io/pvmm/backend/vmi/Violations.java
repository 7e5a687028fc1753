package io.pvmm.backend.vmi;

import io.pvmm.api.Finding;
import io.pvmm.api.ParavirtViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What a broken rule does, by the {@code on-violation} setting: {@link Policy#THROW} refuses the
 * call with a {@link ParavirtViolation} (the guest's {@code BUG()}); {@link Policy#RECORD} keeps the
 * violation, counts it, and lets the caller go on as best it can. Recorded violations come back from
 * {@link #findings()}, which {@code audit()} reports.
 *
 * <p>Callers raise every violation of a call before changing any state, so under {@code throw} the
 * state stays as it was before the refused call.
 *
 * <p><b>Threading:</b> safe to call from any thread.
 */
final class Violations {

    /** The {@code on-violation} setting. */
    enum Policy {
        /** Throw {@link ParavirtViolation}; the default. */
        THROW,
        /** Record the violation, report it from the audit, and go on. */
        RECORD;

        /** @return the setting's value, {@code throw} or {@code record} */
        String settingValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * Parses the setting.
         *
         * @param value {@code throw} or {@code record}
         * @return the policy
         * @throws IllegalArgumentException for any other value
         */
        static Policy of(String value) {
            for (Policy p : values()) {
                if (p.settingValue().equals(value.trim())) {
                    return p;
                }
            }
            throw new IllegalArgumentException("on-violation must be throw or record: '" + value + "'");
        }
    }

    private final Policy policy;
    private final VmiCounters counters;
    private final ConcurrentLinkedQueue<Finding> recorded = new ConcurrentLinkedQueue<>();

    /**
     * Creates the policy.
     *
     * @param policy   throw or record
     * @param counters where {@code violations-recorded} is counted
     */
    Violations(Policy policy, VmiCounters counters) {
        this.policy = policy;
        this.counters = counters;
    }

    /**
     * A rule was broken.
     *
     * @param rule     the rule
     * @param pfn      the frame concerned
     * @param message  what the guest did
     * @param expected what the rule expects
     * @param found    what the backend found
     * @throws ParavirtViolation under {@link Policy#THROW}
     */
    void raise(VmiRule rule, long pfn, String message, String expected, String found) {
        if (policy == Policy.THROW) {
            throw new ParavirtViolation(rule, pfn, message, expected, found);
        }
        recorded.add(new Finding(rule, pfn, -1, message, expected, found));
        counters.violationRecorded();
    }

    /** @return the violations recorded so far, oldest first (always empty under {@link Policy#THROW}) */
    List<Finding> findings() {
        return new ArrayList<>(recorded);
    }
}
