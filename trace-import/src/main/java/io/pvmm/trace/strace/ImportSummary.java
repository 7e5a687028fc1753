package io.pvmm.trace.strace;

/**
 * What an import carried over.
 *
 * @param lines            lines read
 * @param processes        processes: the root and every fork, vfork or clone without {@code CLONE_THREAD}
 * @param threads          threads: clones with {@code CLONE_VM | CLONE_THREAD}
 * @param execs            successful {@code execve} calls
 * @param mappings         {@code mmap} and {@code mremap} calls that became mappings
 * @param implicitMappings ranges the kernel mapped at {@code execve} (the dynamic loader) that a call named
 * @param files            distinct files mapped, executables included
 * @param failedCalls      calls that failed, which change nothing
 * @param unknownCalls     calls the import has no rule for, ignored
 * @param clipped          calls clipped or dropped because they did not fit
 * @param operations       trace operations written
 * @param touches          of which {@code touch} operations
 */
public record ImportSummary(int lines, int processes, int threads, int execs, int mappings, int implicitMappings,
                            int files, int failedCalls, int unknownCalls, int clipped, int operations, int touches) {

    /** @return the summary as one line */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "%d lines: %d processes, %d threads, %d execs, %d mappings (%d mapped at execve), %d files; "
                        + "%d failed calls, %d unknown calls, %d clipped; %d operations (%d touches)",
                lines, processes, threads, execs, mappings, implicitMappings, files, failedCalls, unknownCalls, clipped,
                operations, touches);
    }
}
