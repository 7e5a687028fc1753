package io.pvmm.guest.run;

import io.pvmm.api.Finding;
import java.util.List;
import java.util.Map;

/**
 * What a run shows: the hooks the guest called, the backend's counters and audit, what went wrong,
 * and whether the guest came back to where boot left it.
 *
 * @param backend        the backend's name
 * @param mode           the paging mode's configuration name
 * @param workload       the workload's name
 * @param seed           the seed
 * @param vcpus          vCPUs
 * @param kernel         the guest's kernel, e.g. {@code 2.6.21}
 * @param hooks          calls per SPI method, by Java method name
 * @param bootHooks      the same, counted at the end of boot
 * @param counters       the backend's named counters at the end
 * @param bootCounters   the same, read at the end of boot (a hypervisor's boot can dominate its figures)
 * @param findings       every finding of every audit, in the order first seen, a finding that several audits saw
 *                       kept as often as one audit saw it (the audits at the end are not taken when the run
 *                       stopped early)
 * @param violations     violations the backend raised (the first stops the run)
 * @param bug            the guest's own {@code BUG()} message, or null
 * @param failure        anything else that stopped the run (a backend throwing something unexpected), or null
 * @param frames         page-table frames live at the end
 * @param bootFrames     page-table frames live right after boot
 * @param kernelTables   kernel pte pages added since boot (vmalloc), which the kernel never frees
 * @param freePages      free pages at the end
 * @param bootFreePages  free pages right after boot
 * @param operations     workload operations applied
 * @param outcomes       how many operations came to each outcome (OK, ENOMEM, EFAULT, NO_TASK)
 * @param injected       allocation failures injected
 * @param elapsedMillis  wall time of boot, workload and shutdown
 * @param completed      whether the workload ran to its end and the guest shut down
 * @param tlb            each vCPU's TLB and page-walk counts, by vCPU, under the names of
 *                       {@code TlbCounters.asMap()} (lookups, misses, walks, walk-references, flushes, ...), then
 *                       the IPIs it sent and took ({@code Apic.counters()}: ipis-sent, ipis-received)
 * @param audits         every audit taken, in order, as the {@link AuditSchedule} placed them
 * @param costEvents     the backend's typed cost events at the end, by {@link io.pvmm.api.CostEvent#id()}, in the
 *                       events' order; empty when the backend reports none
 * @param bootCostEvents the same, read at the end of boot
 */
public record RunReport(String backend, String mode, String workload, long seed, int vcpus, String kernel,
                        Map<String, Long> hooks, Map<String, Long> bootHooks, Map<String, Long> counters,
                        Map<String, Long> bootCounters,
                        List<Finding> findings, List<ViolationRecord> violations, String bug, String failure,
                        long frames, long bootFrames, long kernelTables, long freePages, long bootFreePages, long operations,
                        Map<String, Long> outcomes, long injected, long elapsedMillis, boolean completed,
                        List<Map<String, Long>> tlb, List<AuditRecord> audits,
                        Map<String, Long> costEvents, Map<String, Long> bootCostEvents) {

    /**
     * Copies the lists and the cost events.
     */
    public RunReport {
        findings = List.copyOf(findings);
        violations = List.copyOf(violations);
        audits = List.copyOf(audits);
        costEvents = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(costEvents));
        bootCostEvents = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(bootCostEvents));
    }

    /**
     * The typed cost events of the workload and shutdown alone: each event's count at the end less its
     * count at the end of boot.
     *
     * @return the counts by event id, in the events' order; empty when the backend reports none
     */
    public Map<String, Long> costEventsAfterBoot() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        costEvents.forEach((k, v) -> m.put(k, v - bootCostEvents.getOrDefault(k, 0L)));
        return m;
    }

    /**
     * One audit of the backend.
     *
     * @param point     where in the run it was taken
     * @param operation how many workload operations had been applied then, on every vCPU together
     * @param findings  how many findings it returned
     */
    public record AuditRecord(AuditSchedule.Point point, long operation, int findings) {
    }

    /**
     * A violation as the report keeps it.
     *
     * @param rule     the rule id
     * @param pfn      the frame
     * @param message  the backend's message
     * @param expected what the rule expects
     * @param found    what the backend found
     */
    public record ViolationRecord(String rule, long pfn, String message, String expected, String found) {
    }

    /** @return the TLB counts of every vCPU summed, in the order of one vCPU's */
    public Map<String, Long> tlbTotals() {
        Map<String, Long> sum = new java.util.LinkedHashMap<>();
        for (Map<String, Long> cpu : tlb) {
            cpu.forEach((k, v) -> sum.merge(k, v, Long::sum));
        }
        return sum;
    }

    /**
     * Memory references per walk over the run: the entries the walks read, divided by the walks.
     *
     * @return the mean, 0 when nothing walked
     */
    public double referencesPerWalk() {
        Map<String, Long> t = tlbTotals();
        long walks = t.getOrDefault("walks", 0L);
        return walks == 0 ? 0 : (double) t.getOrDefault("walk-references", 0L) / walks;
    }

    /** @return whether a violation, an audit finding or a guest {@code BUG()} was seen: what the backend and the guest said */
    public boolean problemsFound() {
        return !violations.isEmpty() || !findings.isEmpty() || bug != null;
    }

    /**
     * Whether the model's own end-of-run checks failed: an {@code alloc*} hook without its
     * {@code release*}, or a frame missing from the free pool. Only a completed run is checked; a run a
     * violation or a {@code BUG()} stopped never came back to where boot left it.
     *
     * @return {@code completed && !(balanced() && noLeak())}
     */
    public boolean guestChecksFailed() {
        return completed && !(balanced() && noLeak());
    }

    /**
     * What exit code 4 means, the same for every command that runs a guest: a violation, an audit
     * finding, a guest {@code BUG()}, unbalanced hooks, or a leaked frame.
     *
     * @return {@code problemsFound() || guestChecksFailed()}
     */
    public boolean anythingFound() {
        return problemsFound() || guestChecksFailed();
    }

    /** @return the audits taken during the workload, at quiescent points */
    public long auditsDuring() {
        return audits.stream().filter(a -> a.point() == AuditSchedule.Point.DURING).count();
    }

    /**
     * Whether every announcement was matched by a release: the hook counts of the lifecycle pairs at the
     * end equal those at the end of boot (the kernel's own tables stay announced).
     *
     * @return true when {@code allocPt - releasePt} is back to its boot value plus the kernel's new pte
     *         pages, and {@code allocPd + allocPdClone - releasePd} to its boot value
     */
    public boolean balanced() {
        return net(hooks, "allocPt", "releasePt") == net(bootHooks, "allocPt", "releasePt") + kernelTables
                && net(hooks, "allocPd", "releasePd") + hooks.getOrDefault("allocPdClone", 0L)
                == net(bootHooks, "allocPd", "releasePd") + bootHooks.getOrDefault("allocPdClone", 0L);
    }

    /** @return whether the free pool is back to its size after boot, less the kernel's new pte pages (no frame leaked) */
    public boolean noLeak() {
        return freePages + kernelTables == bootFreePages;
    }

    private static long net(Map<String, Long> m, String plus, String minus) {
        return m.getOrDefault(plus, 0L) - m.getOrDefault(minus, 0L);
    }
}
