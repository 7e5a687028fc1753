package io.pvmm.trace.strace;

/**
 * One line of an strace log, taken apart but not yet understood: whose it is, what kind of line it is,
 * and its pieces as text.
 *
 * @param number the 1-based line number
 * @param pid    the pid prefix ({@code 1234 } or {@code [pid 1234] }), or {@link #NO_PID} when the line has none
 * @param kind   what the line is
 * @param name   the system call's name ({@link Kind#CALL}, {@link Kind#UNFINISHED}, {@link Kind#RESUMED}), the
 *               signal's or exit's detail ({@link Kind#SIGNAL}, {@link Kind#EXITED}, {@link Kind#KILLED}), or why
 *               the line was not recognised ({@link Kind#UNRECOGNISED})
 * @param args   the arguments' text: all of them for a call, those before {@code <unfinished ...>}, or those
 *               after {@code resumed>}; empty otherwise
 * @param result the text after {@code = } (the return value, an errno and its description), or empty
 */
public record StraceLine(int number, int pid, Kind kind, String name, String args, String result) {

    /** The pid of a line without a pid prefix. */
    public static final int NO_PID = -1;

    /** What a line of an strace log is. */
    public enum Kind {
        /** A complete call: {@code mmap(NULL, 8192, ...) = 0x7f...}. */
        CALL,
        /** The first half of a call another process interrupted: {@code wait4(-1,  <unfinished ...>}. */
        UNFINISHED,
        /** The second half: {@code <... wait4 resumed>, 0) = 1234}. */
        RESUMED,
        /** A delivered signal: {@code --- SIGCHLD {...} ---}. */
        SIGNAL,
        /** The task ended: {@code +++ exited with 0 +++}. */
        EXITED,
        /** The task was killed: {@code +++ killed by SIGKILL +++}. */
        KILLED,
        /** Another thread's {@code execve} took over: {@code +++ superseded by execve in pid N +++}. */
        SUPERSEDED,
        /** strace's own note ({@code strace: Process 1234 attached}), or an empty line. */
        NOTE,
        /** A line this reader does not know. */
        UNRECOGNISED
    }
}
