package io.pvmm.trace.strace;

/**
 * Something the import did not carry over exactly, with the line of the strace log it came from.
 *
 * @param line    the 1-based line number, or 0 when no single line is to blame (the end of the log)
 * @param kind    what happened
 * @param message the detail, in plain words
 */
public record ImportWarning(int line, Kind kind, String message) {

    /** The kinds of warning, each documented in {@code docs/traces.md}. */
    public enum Kind {
        /** A line strace did not write with {@code -f -o FILE} (a {@code -k} stack frame, a cut line): skipped. */
        UNRECOGNISED_LINE,
        /** A system call the import has no rule for: ignored. */
        UNKNOWN_SYSCALL,
        /** A call whose result never came ({@code <unfinished ...>} and no {@code resumed}): the log was cut. */
        UNFINISHED_CALL,
        /** A {@code resumed} half with no first half. */
        UNMATCHED_RESUME,
        /** Lines of a pid that no fork or clone in the log creates: skipped. */
        UNKNOWN_TASK,
        /** A memory call of a task with no address space yet, or after it ended: skipped. */
        NO_ADDRESS_SPACE,
        /** Tasks still alive where the log ends: the import ends them. */
        TRUNCATED,
        /** A mapping that does not fit in the i386 user space: clipped (or dropped when nothing fits). */
        CLIPPED,
        /** A call the import understood but could not carry over (shrinking the heap below its start, ...). */
        NOT_CARRIED_OVER
    }

    /** @return the warning as one line: {@code line 17: clipped: ...} */
    @Override
    public String toString() {
        return (line > 0 ? "line " + line + ": " : "") + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + ": " + message;
    }
}
