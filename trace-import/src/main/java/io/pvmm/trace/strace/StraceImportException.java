package io.pvmm.trace.strace;

/**
 * An strace log the import cannot turn into a trace: where, what was wrong, what is accepted and the
 * fix. Nothing is written when it is thrown.
 */
public final class StraceImportException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why the import stopped. */
    public enum Reason {
        /** The log is not what {@code strace -f -e trace=%process,%memory -o FILE} writes, or a needed call is garbled. */
        MALFORMED,
        /** A mapping does not fit in the i386 user space and {@code --oversize refuse} was chosen. */
        DOES_NOT_FIT
    }

    private final Reason reason;
    private final int line;
    private final String problem;
    private final String accepted;
    private final String fix;

    /**
     * Creates the error.
     *
     * @param reason   why
     * @param line     the 1-based line, or 0 for the whole log
     * @param problem  what was wrong
     * @param accepted what the import accepts there
     * @param fix      what to do
     */
    public StraceImportException(Reason reason, int line, String problem, String accepted, String fix) {
        super((line > 0 ? "line " + line + ": " : "") + problem + ". Accepted: " + accepted + ". " + fix);
        this.reason = reason;
        this.line = line;
        this.problem = problem;
        this.accepted = accepted;
        this.fix = fix;
    }

    /** @return why the import stopped */
    public Reason reason() {
        return reason;
    }

    /** @return the 1-based line, or 0 */
    public int line() {
        return line;
    }

    /** @return what was wrong */
    public String problem() {
        return problem;
    }

    /** @return what is accepted */
    public String accepted() {
        return accepted;
    }

    /** @return the fix */
    public String fix() {
        return fix;
    }
}
