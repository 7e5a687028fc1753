package io.pvmm.backend.xen.mm;

import io.pvmm.api.ParavirtViolation;
import io.pvmm.backend.xen.XenRule;

/**
 * A {@link ParavirtViolation} raised by the Xen backend, keeping its plain message so that a caller
 * can restate it in context: a pin reports an entry's failure as {@link XenRule#PIN_VALIDATION_FAILED},
 * a multicall names the entry that failed.
 */
public final class XenViolation extends ParavirtViolation {

    private static final long serialVersionUID = 1L;

    private final String detail;

    /**
     * Creates a violation.
     *
     * @param rule     the rule broken
     * @param pfn      the guest frame concerned
     * @param detail   what happened, in plain words
     * @param expected what the rule expects
     * @param found    what the backend found
     */
    public XenViolation(XenRule rule, long pfn, String detail, String expected, String found) {
        super(rule, pfn, detail, expected, found);
        this.detail = detail;
    }

    /** @return the rule broken */
    public XenRule xenRule() {
        return (XenRule) rule();
    }

    /**
     * The same failure under another rule, with context put in front of the message.
     *
     * @param rule   the rule to report
     * @param prefix what was being done, e.g. {@code "MMUEXT_PIN_L2_TABLE of mfn 0x12: "}
     * @return the restated violation
     */
    public XenViolation restate(XenRule rule, String prefix) {
        return new XenViolation(rule, pfn(), prefix + detail, expected(), found());
    }
}
