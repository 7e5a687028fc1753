package io.pvmm.cli;

/**
 * The exit codes of the {@code pvmm} command, listed in its help under "Exit codes:".
 */
public final class ExitCodes {

    /** Success. */
    public static final int OK = 0;
    /** A failure other than those below: a run failed, or pvmm itself did. */
    public static final int FAILURE = 1;
    /** Bad usage or bad input: an unknown option or command, a configuration error, or a file that cannot be used (the catalogue's configuration and input errors). */
    public static final int USAGE = 2;
    /** No backend could be selected or built (PVMM-E001 to PVMM-E007). */
    public static final int BACKEND_SELECTION = 3;
    /**
     * A finding, the same in {@code run}, {@code replay}, {@code replay-hooks} and {@code compare}: a
     * violation, an audit finding, unbalanced hooks, leaked frames, or the {@code BUG()} an injected
     * guest bug led to; the whole report is printed first.
     */
    public static final int FINDINGS = 4;

    private ExitCodes() {
    }
}
