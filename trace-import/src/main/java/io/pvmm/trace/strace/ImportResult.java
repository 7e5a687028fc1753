package io.pvmm.trace.strace;

import io.pvmm.guest.workload.Op;
import java.util.List;

/**
 * An import's outcome: the trace's operations, what they add up to, and what was not carried over.
 *
 * @param ops      the operations, in replay order
 * @param summary  the counts
 * @param warnings the warnings, in line order (warnings about the whole log last)
 */
public record ImportResult(List<Op> ops, ImportSummary summary, List<ImportWarning> warnings) {

    /**
     * Copies the lists.
     *
     * @param ops      the operations
     * @param summary  the counts
     * @param warnings the warnings
     */
    public ImportResult {
        ops = List.copyOf(ops);
        warnings = List.copyOf(warnings);
    }
}
