package io.pvmm.backend.xen;

import io.pvmm.api.ParavirtViolation;
import io.pvmm.api.ViolationRule;
import java.util.function.Function;

/** Test helpers for violations: the API module is not open to reflection, so rules are read by accessor. */
public final class Violations {

    /** Extracts the rule of a thrown {@link ParavirtViolation}: {@code assertThatThrownBy(...).extracting(RULE)}. */
    public static final Function<Throwable, ViolationRule> RULE = t -> ((ParavirtViolation) t).rule();

    private Violations() {
    }
}
