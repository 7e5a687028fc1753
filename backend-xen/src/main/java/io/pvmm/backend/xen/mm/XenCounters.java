package io.pvmm.backend.xen.mm;

import io.pvmm.api.CostEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Xen backend's counters, with stable lower-case names in a fixed order.
 *
 * <ul>
 *   <li>{@code hypercalls}: direct hypercalls plus multicall batches (one {@code HYPERVISOR_multicall}
 *       each); a trapped write is not a hypercall;</li>
 *   <li>{@code multicalls}: multicall batches issued;</li>
 *   <li>{@code mmu-update-entries}: {@code mmu_update} requests processed, direct or batched;</li>
 *   <li>{@code mmuext-ops}: {@code mmuext_op}s processed (pin, unpin, new base, TLB flushes);</li>
 *   <li>{@code update-va-mapping}: {@code update_va_mapping}s processed;</li>
 *   <li>{@code emulated-writes}: trapped writes to typed L1s that Xen emulated;</li>
 *   <li>{@code entries-validated}: present entries checked by table validation and entry updates;</li>
 *   <li>{@code pins}, {@code unpins}: successful {@code MMUEXT_PIN_*} and {@code MMUEXT_UNPIN_TABLE};</li>
 *   <li>{@code typed-frames}, {@code typed-frames-peak}: frames typed as a page table with references,
 *       now and at most.</li>
 * </ul>
 *
 * <p>{@link #costEvents()} derives the typed events from the same counts, with one kept for them
 * alone: {@code tlbFlushes}, the {@code MMUEXT_TLB_FLUSH_LOCAL} and {@code MMUEXT_INVLPG_LOCAL}
 * operations.
 *
 * <p><b>Threading:</b> every method may be called from any thread; a snapshot taken while vCPUs run
 * may mix moments.
 */
public final class XenCounters {

    /** {@code hypercalls}. */
    public final AtomicLong hypercalls = new AtomicLong();
    /** {@code multicalls}. */
    public final AtomicLong multicalls = new AtomicLong();
    /** {@code mmu-update-entries}. */
    public final AtomicLong mmuUpdateEntries = new AtomicLong();
    /** {@code mmuext-ops}. */
    public final AtomicLong mmuextOps = new AtomicLong();
    /** {@code update-va-mapping}. */
    public final AtomicLong updateVaMapping = new AtomicLong();
    /** {@code emulated-writes}. */
    public final AtomicLong emulatedWrites = new AtomicLong();
    /** {@code entries-validated}. */
    public final AtomicLong entriesValidated = new AtomicLong();
    /** {@code pins}. */
    public final AtomicLong pins = new AtomicLong();
    /** {@code unpins}. */
    public final AtomicLong unpins = new AtomicLong();
    /** {@code typed-frames}. */
    public final AtomicLong typedFrames = new AtomicLong();
    /** {@code typed-frames-peak}. */
    public final AtomicLong typedFramesPeak = new AtomicLong();

    /** TLB operations processed (not among the named counters, which stay as they were). */
    public final AtomicLong tlbFlushes = new AtomicLong();

    /**
     * Guest page faults that entered Xen and were bounced to the guest's handler (not among the named
     * counters): Xen owns the interrupt table, so {@code do_page_fault} of a paravirtualised guest runs
     * only after Xen's own handler has taken the fault and built the guest's exception frame
     * ({@code create_bounce_frame}).
     */
    public final AtomicLong faultBounces = new AtomicLong();

    /** Creates counters, all zero. */
    public XenCounters() {
    }

    /**
     * One more frame typed as a page table with references; raises the peak with it.
     */
    public void typedFrameAdded() {
        long now = typedFrames.incrementAndGet();
        typedFramesPeak.accumulateAndGet(now, Math::max);
    }

    /** One frame fewer typed as a page table with references. */
    public void typedFrameRemoved() {
        typedFrames.decrementAndGet();
    }

    /**
     * The cost events: {@code hypercall} as {@code hypercalls} (a multicall batch is one),
     * {@code validated-entry} as {@code entries-validated}, {@code trap-and-emulate} as
     * {@code emulated-writes}, {@code pin} as {@code pins} plus {@code unpins}, {@code multicall} as
     * {@code multicalls}, {@code tlb-flush} as the TLB operations, {@code vm-exit} as the guest page faults
     * bounced through Xen.
     *
     * @return the counts, in {@link CostEvent} order
     */
    public Map<CostEvent, Long> costEvents() {
        return CostEvent.counts(
                CostEvent.HYPERCALL, hypercalls.get(),
                CostEvent.VALIDATED_ENTRY, entriesValidated.get(),
                CostEvent.TRAP_AND_EMULATE, emulatedWrites.get(),
                CostEvent.VM_EXIT, faultBounces.get(),
                CostEvent.TLB_FLUSH, tlbFlushes.get(),
                CostEvent.PIN, pins.get() + unpins.get(),
                CostEvent.MULTICALL, multicalls.get());
    }

    /**
     * A snapshot in the documented order.
     *
     * @return counter values by name
     */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("hypercalls", hypercalls.get());
        m.put("multicalls", multicalls.get());
        m.put("mmu-update-entries", mmuUpdateEntries.get());
        m.put("mmuext-ops", mmuextOps.get());
        m.put("update-va-mapping", updateVaMapping.get());
        m.put("emulated-writes", emulatedWrites.get());
        m.put("entries-validated", entriesValidated.get());
        m.put("pins", pins.get());
        m.put("unpins", unpins.get());
        m.put("typed-frames", typedFrames.get());
        m.put("typed-frames-peak", typedFramesPeak.get());
        return m;
    }
}
