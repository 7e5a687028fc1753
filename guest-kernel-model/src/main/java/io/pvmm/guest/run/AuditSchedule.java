package io.pvmm.guest.run;

import io.pvmm.api.SettingSpec;
import java.util.List;
import java.util.Map;

/**
 * When a run audits its backend ({@link io.pvmm.api.ParavirtOps#audit()}), configured under
 * {@code audit.*}: at quiescent points during the run, every {@code audit.every} operations of each
 * vCPU and once when every vCPU's stream has ended; then at the end, before shutdown tears the address
 * spaces down; and once more after shutdown. A quiescent point is a moment when every vCPU is parked
 * between two operations, so no vCPU is inside a page-table operation and lazy MMU mode is off
 * everywhere (see {@link QuiescentPoints}).
 *
 * <p>An audit reads the backend's state and the guest's memory and makes no hook call, so a run's hook
 * sequence is the same whatever the schedule; on one vCPU the whole run is. On several vCPUs the
 * quiescent points are barriers: they bound how far one vCPU runs ahead of another, as any choice of
 * interleaving does. A workload whose streams wait for each other's tasks ({@code crossStream()}, a
 * trace replayed on several vCPUs) has no quiescent points during the run: a barrier could park the
 * vCPU that creates a task while another waits for it. It is audited at the end only.
 *
 * @param every operations each vCPU applies between two audits during the run; 0 audits only at the end
 */
public record AuditSchedule(long every) {

    /** The namespace of the audit settings. */
    public static final String NAMESPACE = "audit";

    /**
     * The schedule every run gets unless told otherwise: an audit every 4 operations of each vCPU. Often
     * enough to meet every guest table a short-lived process builds (a fork-exit child lives a handful of
     * operations: fork, exec, touches, exit), and the audit's cost, n log n in the tracked page-table
     * frames, stays a small share of a run.
     */
    public static final AuditSchedule DEFAULT = new AuditSchedule(64);

    /** Audits only at the end, before and after shutdown, as a performance run wants. */
    public static final AuditSchedule END = new AuditSchedule(0);

    /**
     * Checks the value.
     *
     * @param every operations between audits, 0 for none during the run
     */
    public AuditSchedule {
        if (every < 0 || every > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("audit.every must be 0 (audit only at the end) or a positive number of operations: "
                    + every);
        }
    }

    /** @return whether the run is audited at quiescent points during the workload */
    public boolean during() {
        return every > 0;
    }

    /** @return the specs of {@code audit.*}, keys without the namespace */
    public static List<SettingSpec> specs() {
        return List.of(SettingSpec.longValue("every", DEFAULT.every,
                "audit the backend at a quiescent point every this many operations of each vCPU (0: only at the end,"
                        + " before and after shutdown, which every run does)"));
    }

    /**
     * Builds the schedule from validated settings (keys without the namespace).
     *
     * @param values values by key; missing keys take their defaults
     * @return the schedule
     * @throws IllegalArgumentException if a value is out of range
     */
    public static AuditSchedule fromSettings(Map<String, String> values) {
        return new AuditSchedule(SettingSpec.parseLong(values.getOrDefault("every", Long.toString(DEFAULT.every))));
    }

    /**
     * Where an audit was taken.
     */
    public enum Point {
        /** At a quiescent point while the workload runs. */
        DURING("during"),
        /** When the workload has ended, before shutdown. */
        BEFORE_SHUTDOWN("before-shutdown"),
        /** After shutdown. */
        AFTER_SHUTDOWN("after-shutdown");

        private final String label;

        Point(String label) {
            this.label = label;
        }

        /** @return the point's name in reports */
        public String label() {
            return label;
        }
    }
}
