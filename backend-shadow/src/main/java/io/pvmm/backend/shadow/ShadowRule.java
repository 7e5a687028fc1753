package io.pvmm.backend.shadow;

import io.pvmm.api.ViolationRule;

/**
 * What the shadow pager's audit checks. A hookless monitor refuses no guest call (it is told of none),
 * so every rule is an invariant of its own state found by {@link ShadowAudit}. Ids are stable.
 */
enum ShadowRule implements ViolationRule {

    /**
     * Every shadow entry is unsynced (zero) or equals the guest's entry translated; an out-of-sync L1's
     * entries equal its snapshot's, translated (Xen's {@code sh_audit_l1_table}, KVM's
     * {@code audit_mappings}).
     */
    SHADOW_MISMATCH("shadow-mismatch", "a shadow entry differs from the translation of the guest's entry"),

    /**
     * A table the monitor shadows is write-protected, unless it is an out-of-sync L1: otherwise a guest
     * store could change it without the shadow following.
     */
    TABLE_NOT_PROTECTED("table-not-protected", "a shadowed guest table is not write-protected"),

    /** A present non-leaf shadow entry links a table the monitor shadows at the level below. */
    LINK_WITHOUT_SHADOW("link-without-shadow", "a shadow entry links a table that has no shadow");

    private final String id;
    private final String summary;

    ShadowRule(String id, String summary) {
        this.id = id;
        this.summary = summary;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String summary() {
        return summary;
    }
}
