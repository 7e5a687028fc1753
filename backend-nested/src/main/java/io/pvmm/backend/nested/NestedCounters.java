package io.pvmm.backend.nested;

import io.pvmm.api.CostEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The nested backend's counters, under stable names in a fixed order:
 *
 * <table>
 *   <caption>Counters</caption>
 *   <tr><td>{@code vm-exits}</td><td>exits to the host; with EPT only violations exit (CR3 writes,
 *       {@code invlpg} and page-table writes do not)</td></tr>
 *   <tr><td>{@code ept-violations}</td><td>exits for a guest-physical address the table did not map</td></tr>
 *   <tr><td>{@code guest-frames-mapped}</td><td>guest frames the table maps</td></tr>
 *   <tr><td>{@code host-large-pages}</td><td>2 MiB host pages among them (with {@code large-host-pages})</td></tr>
 *   <tr><td>{@code ept-tables}</td><td>host frames holding the nested table</td></tr>
 *   <tr><td>{@code nested-walks}</td><td>guest walks after a TLB miss, each a 2-D walk</td></tr>
 *   <tr><td>{@code guest-walk-entries}</td><td>guest entries those walks read (the {@code n}s)</td></tr>
 *   <tr><td>{@code walk-references}</td><td>memory references of the completed 2-D walks:
 *       {@code (n+1)(m+1)-1} each for a walk that reached its page, {@code n(m+1)} for one that
 *       faulted in the guest</td></tr>
 *   <tr><td>{@code aborted-walk-references}</td><td>references of walks cut short by an EPT
 *       violation, which the processor restarts after the exit</td></tr>
 * </table>
 *
 * <p><b>Threading:</b> safe from any thread.
 */
final class NestedCounters {

    private final LongAdder exits = new LongAdder();
    private final LongAdder violations = new LongAdder();
    private final LongAdder mapped = new LongAdder();
    private final LongAdder largePages = new LongAdder();
    private final LongAdder walks = new LongAdder();
    private final LongAdder guestEntries = new LongAdder();
    private final LongAdder references = new LongAdder();
    private final LongAdder aborted = new LongAdder();

    void violation(int framesMapped, boolean large) {
        exits.increment();
        violations.increment();
        mapped.add(framesMapped);
        if (large && framesMapped > 0) {
            largePages.increment();
        }
    }

    void walk(int guestLevels, long refs, long abortedRefs) {
        walks.increment();
        guestEntries.add(guestLevels);
        references.add(refs);
        if (abortedRefs != 0) {
            aborted.add(abortedRefs);
        }
    }

    /**
     * The cost events: {@code vm-exit} as {@code vm-exits}, {@code tlb-miss} for every 2-D walk, and
     * {@code walk-reference} for every reference those walks made beyond the guest's own entries (the
     * host-table references, {@code walk-references - guest-walk-entries}), with the references of
     * the walks an EPT violation cut short, which are made again.
     *
     * @return the counts, in {@link CostEvent} order
     */
    Map<CostEvent, Long> costEvents() {
        return CostEvent.counts(
                CostEvent.VM_EXIT, exits.sum(),
                CostEvent.TLB_MISS, walks.sum(),
                CostEvent.WALK_REFERENCE, references.sum() - guestEntries.sum() + aborted.sum());
    }

    /** @return the counters by name, in their fixed order */
    Map<String, Long> snapshot(long eptTables) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("vm-exits", exits.sum());
        m.put("ept-violations", violations.sum());
        m.put("guest-frames-mapped", mapped.sum());
        m.put("host-large-pages", largePages.sum());
        m.put("ept-tables", eptTables);
        m.put("nested-walks", walks.sum());
        m.put("guest-walk-entries", guestEntries.sum());
        m.put("walk-references", references.sum());
        m.put("aborted-walk-references", aborted.sum());
        return m;
    }
}
