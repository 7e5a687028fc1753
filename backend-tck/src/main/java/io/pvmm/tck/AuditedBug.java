package io.pvmm.tck;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.Workload;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A guest bug that a backend's audit finds, with the rule its finding names, declared with
 * {@link Behavior#AUDIT_FINDS_GUEST_BUGS} so the kit can show the audit finds something:
 *
 * <pre>{@code
 * @Override
 * protected List<AuditedBug> auditedBugs() {
 *     return List.of(AuditedBug.of(GuestBug.WRITE_TABLE_DIRECTLY, "shadow-mismatch"));
 * }
 * }</pre>
 *
 * <p>The kit runs the bug's guest on a small fork and exit workload ({@code fork-exit}), one vCPU, in
 * every declared mode the bug is declared for, audited at quiescent points during the run as every run
 * is, and expects a finding of the rule from an audit taken while the workload ran. Immutable.
 *
 * @param bug    the guest bug
 * @param ruleId the id of the rule the audit's finding names
 * @param modes  the modes it is driven in, of those the backend declares
 */
public record AuditedBug(GuestBug bug, String ruleId, Set<PagingMode> modes) {

    /**
     * Checks the declaration.
     *
     * @param bug    the guest bug
     * @param ruleId the rule the finding names: lower-case words joined by dashes
     * @param modes  the modes, at least one
     */
    public AuditedBug {
        Objects.requireNonNull(bug, "bug");
        Objects.requireNonNull(ruleId, "ruleId");
        modes = Set.copyOf(modes);
        if (!ViolationRules.RULE_ID.matcher(ruleId).matches()) {
            throw new IllegalArgumentException("rule id '" + ruleId + "': lower-case words joined by dashes");
        }
        if (modes.isEmpty()) {
            throw new IllegalArgumentException("an audited bug is driven in at least one mode");
        }
    }

    /**
     * A guest bug the audit finds in every mode.
     *
     * @param bug    the guest bug
     * @param ruleId the rule its finding names
     * @return the declaration
     */
    public static AuditedBug of(GuestBug bug, String ruleId) {
        return new AuditedBug(bug, ruleId, EnumSet.allOf(PagingMode.class));
    }

    /**
     * The same bug, driven in some modes only.
     *
     * @param first  a mode
     * @param others more modes
     * @return the declaration
     */
    public AuditedBug inModes(PagingMode first, PagingMode... others) {
        return new AuditedBug(bug, ruleId, EnumSet.of(first, others));
    }

    /** @return the workload the bug's guest runs */
    Workload workload() {
        return BuiltInWorkloads.find("fork-exit", BootRules.SMALL).orElseThrow();
    }

    /** @return the bug in words */
    String action() {
        return "the guest bug " + bug.settingName() + " (" + bug.what() + ")";
    }

    @Override
    public String toString() {
        return ruleId + " when " + action();
    }
}
