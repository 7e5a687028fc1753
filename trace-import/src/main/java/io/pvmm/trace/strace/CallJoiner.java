package io.pvmm.trace.strace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Joins the two halves of calls that another task's line interrupted ({@code <unfinished ...>} and
 * {@code <... NAME resumed>}), per task, so each call reaches the tracker once, complete, at the line
 * where it returned.
 */
final class CallJoiner {

    private final Map<Integer, StraceLine> pending = new LinkedHashMap<>();
    private final List<ImportWarning> warnings;

    CallJoiner(List<ImportWarning> warnings) {
        this.warnings = warnings;
    }

    /**
     * The first half of a call.
     *
     * @param pid  the task
     * @param line the {@link StraceLine.Kind#UNFINISHED} line
     */
    void start(int pid, StraceLine line) {
        StraceLine previous = pending.put(pid, line);
        if (previous != null) {
            warnings.add(new ImportWarning(previous.number(), ImportWarning.Kind.UNFINISHED_CALL,
                    "task " + pid + "'s " + previous.name() + " never resumed before its next call at line " + line.number()));
        }
    }

    /**
     * The second half of a call.
     *
     * @param pid  the task
     * @param line the {@link StraceLine.Kind#RESUMED} line
     * @return the whole call, or null when there was no first half (a warning is added)
     */
    Syscall resume(int pid, StraceLine line) {
        StraceLine first = pending.get(pid);
        if (first == null || !first.name().equals(line.name())) {
            warnings.add(new ImportWarning(line.number(), ImportWarning.Kind.UNMATCHED_RESUME,
                    "task " + pid + "'s " + line.name() + " resumed, but no unfinished " + line.name() + " of that task came before"));
            return null;
        }
        pending.remove(pid);
        String args = first.args().isEmpty() ? line.args() : line.args().isEmpty() ? first.args() : first.args() + " " + line.args();
        return Syscall.of(line.number(), first.number(), pid, line.name(), args, line.result());
    }

    /** The log has ended: every first half still waiting is a call that never returned. */
    void finish() {
        pending.forEach((pid, line) -> warnings.add(new ImportWarning(line.number(), ImportWarning.Kind.UNFINISHED_CALL,
                "task " + pid + "'s " + line.name() + " never resumed: the log ends first")));
        pending.clear();
    }
}
