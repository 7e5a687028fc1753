package io.pvmm.guest.cost;

import io.pvmm.api.CostEvent;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.observe.CountingOps;
import io.pvmm.guest.observe.Hook;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a guest and its backend did, as a cost model counts it: the guest's own work by
 * {@link GuestEvent} and the backend's additions by {@link CostEvent} (empty when the backend reports
 * none). Counts may be fractional once divided per operation.
 *
 * @param guest   the guest's own work
 * @param backend the backend's events, in {@link CostEvent} order; empty when it reports none
 */
public record WorkCounts(Map<GuestEvent, Double> guest, Map<CostEvent, Double> backend) {

    /** Copies the maps. */
    public WorkCounts {
        guest = Collections.unmodifiableMap(new EnumMap<>(guest.isEmpty() ? new EnumMap<>(GuestEvent.class) : guest));
        backend = Collections.unmodifiableMap(backend.isEmpty() ? new EnumMap<>(CostEvent.class) : new EnumMap<>(backend));
    }

    /**
     * The counts of a running guest, read at a quiescent moment (between two operations on one vCPU).
     *
     * @param kernel   the guest
     * @param syscalls the system calls the workload has made so far
     * @return the counts
     */
    public static WorkCounts of(GuestKernel kernel, long syscalls) {
        Map<String, Long> tlb = kernel.machine().tlbs().totals();
        Map<GuestEvent, Double> g = new EnumMap<>(GuestEvent.class);
        g.put(GuestEvent.SYSCALL, (double) syscalls);
        // a page fault is a lookup that faulted on a hit, or a walk that did not fill the TLB
        g.put(GuestEvent.PAGE_FAULT, (double) (tlb.getOrDefault("faults", 0L) + tlb.getOrDefault("walks", 0L)
                - tlb.getOrDefault("fills", 0L)));
        g.put(GuestEvent.CLEAR_PAGE, (double) kernel.physicalMemory().traps().pagesCleared());
        g.put(GuestEvent.COPY_PAGE, (double) kernel.physicalMemory().traps().pagesCopied());
        g.put(GuestEvent.PAGE_WALK, (double) tlb.getOrDefault("walks", 0L));
        g.put(GuestEvent.TLB_FLUSH, (double) (tlb.getOrDefault("flushes", 0L) + tlb.getOrDefault("global-flushes", 0L)
                + tlb.getOrDefault("invlpg", 0L)));
        long cr3 = kernel.ops() instanceof CountingOps c ? c.counts().getOrDefault(Hook.writeCr3, 0L) : 0L;
        g.put(GuestEvent.CONTEXT_SWITCH, (double) cr3);
        Map<CostEvent, Double> b = new EnumMap<>(CostEvent.class);
        kernel.ops().costEvents().forEach((e, n) -> b.put(e, (double) n));
        return new WorkCounts(g, b);
    }

    /**
     * These counts less earlier ones.
     *
     * @param earlier counts taken before
     * @return the difference, event by event
     */
    public WorkCounts minus(WorkCounts earlier) {
        Map<GuestEvent, Double> g = new EnumMap<>(GuestEvent.class);
        guest.forEach((e, n) -> g.put(e, n - earlier.guest.getOrDefault(e, 0.0)));
        Map<CostEvent, Double> b = new EnumMap<>(CostEvent.class);
        backend.forEach((e, n) -> b.put(e, n - earlier.backend.getOrDefault(e, 0.0)));
        return new WorkCounts(g, b);
    }

    /**
     * These counts divided.
     *
     * @param by the divisor, positive
     * @return each count divided by {@code by}
     */
    public WorkCounts dividedBy(double by) {
        Map<GuestEvent, Double> g = new EnumMap<>(GuestEvent.class);
        guest.forEach((e, n) -> g.put(e, n / by));
        Map<CostEvent, Double> b = new EnumMap<>(CostEvent.class);
        backend.forEach((e, n) -> b.put(e, n / by));
        return new WorkCounts(g, b);
    }

    /** @return every count under its profile key ({@code guest.page-fault}, {@code hypercall}), in order */
    public Map<String, Double> byKey() {
        Map<String, Double> m = new LinkedHashMap<>();
        guest.forEach((e, n) -> m.put("guest." + e.id(), n));
        backend.forEach((e, n) -> m.put(e.id(), n));
        return m;
    }
}
