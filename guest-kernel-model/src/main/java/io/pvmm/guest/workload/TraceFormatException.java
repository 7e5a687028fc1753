package io.pvmm.guest.workload;

/** A trace file that does not follow the trace format: where, what was expected, what was found. */
public final class TraceFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final String expected;
    private final String found;

    /**
     * Creates the error.
     *
     * @param source   the file (or other source) read
     * @param line     the 1-based line number
     * @param expected what the format expects there
     * @param found    what the line holds
     */
    public TraceFormatException(String source, int line, String expected, String found) {
        super(source + ":" + line + ": expected " + expected + ", found " + found);
        this.source = source;
        this.line = line;
        this.expected = expected;
        this.found = found;
    }

    /** @return the file read */
    public String source() {
        return source;
    }

    /** @return the 1-based line number */
    public int line() {
        return line;
    }

    /** @return what the format expects */
    public String expected() {
        return expected;
    }

    /** @return what the line holds */
    public String found() {
        return found;
    }
}
