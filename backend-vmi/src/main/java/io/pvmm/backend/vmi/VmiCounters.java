package io.pvmm.backend.vmi;

import io.pvmm.api.CostEvent;
import io.pvmm.api.PagingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * The VMI backend's counters, under stable names in a fixed order:
 *
 * <table>
 *   <caption>Counters</caption>
 *   <tr><td>{@code shadows-live}</td><td>shadow frames held now (one per typed guest frame)</td></tr>
 *   <tr><td>{@code shadows-peak}</td><td>the most shadow frames held at once</td></tr>
 *   <tr><td>{@code shadow-bytes}</td><td>memory of the live shadows: one 4 KiB frame each</td></tr>
 *   <tr><td>{@code traps}</td><td>page-table writes and {@code pte_update}s on typed frames (ROM calls)</td></tr>
 *   <tr><td>{@code clones}</td><td>roots built by {@code allocPdClone}</td></tr>
 *   <tr><td>{@code clone-entries-copied}</td><td>shadow entries copied from clone sources</td></tr>
 *   <tr><td>{@code entries-translated}</td><td>present entries translated through the p2m into a shadow</td></tr>
 *   <tr><td>{@code lazy-queued}</td><td>shadow updates queued in lazy MMU mode</td></tr>
 *   <tr><td>{@code flushes}</td><td>flushes of a non-empty lazy queue (leave, TLB flush, CR3 load)</td></tr>
 *   <tr><td>{@code violations-recorded}</td><td>violations kept under {@code on-violation=record}</td></tr>
 * </table>
 *
 * <p>The {@link CostEvent}s come from the same counts, with three kept for them alone: the lifecycle
 * calls ({@code allocate_page}, {@code release_page}), the TLB flushes and the CR3 loads, each a ROM
 * call that reaches the monitor.
 *
 * <p><b>Threading:</b> safe from any thread; adders keep the hot path free of contention. A snapshot
 * taken while vCPUs run may mix moments.
 */
final class VmiCounters {

    private final AtomicLong shadowsLive = new AtomicLong();
    private final LongAccumulator shadowsPeak = new LongAccumulator(Long::max, 0);
    private final LongAdder traps = new LongAdder();
    private final LongAdder clones = new LongAdder();
    private final LongAdder cloneEntriesCopied = new LongAdder();
    private final LongAdder entriesTranslated = new LongAdder();
    private final LongAdder lazyQueued = new LongAdder();
    private final LongAdder flushes = new LongAdder();
    private final LongAdder violationsRecorded = new LongAdder();
    private final LongAdder lifecycleCalls = new LongAdder();
    private final LongAdder tlbFlushes = new LongAdder();
    private final LongAdder cr3Loads = new LongAdder();

    void shadowCreated() {
        shadowsPeak.accumulate(shadowsLive.incrementAndGet());
    }

    void shadowDropped() {
        shadowsLive.decrementAndGet();
    }

    void trap() {
        traps.increment();
    }

    void cloned(int entries) {
        clones.increment();
        cloneEntriesCopied.add(entries);
    }

    void translated(long entries) {
        if (entries != 0) {
            entriesTranslated.add(entries);
        }
    }

    void queued() {
        lazyQueued.increment();
    }

    void flushed() {
        flushes.increment();
    }

    void violationRecorded() {
        violationsRecorded.increment();
    }

    void lifecycleCall() {
        lifecycleCalls.increment();
    }

    void tlbFlush() {
        tlbFlushes.increment();
    }

    void cr3Load() {
        cr3Loads.increment();
    }

    /**
     * The cost events: {@code hypercall} for every ROM call that reaches the monitor (the
     * page-table writes and {@code pte_update}s on typed frames, the lifecycle calls, the CR3 loads),
     * {@code shadow-update} for every shadow entry translated or copied from a clone source,
     * {@code multicall} for every flush of a non-empty lazy queue, {@code tlb-flush} for every flush.
     *
     * @return the counts, in {@link CostEvent} order
     */
    Map<CostEvent, Long> costEvents() {
        return CostEvent.counts(
                CostEvent.HYPERCALL, traps.sum() + lifecycleCalls.sum() + cr3Loads.sum(),
                CostEvent.SHADOW_UPDATE, entriesTranslated.sum() + cloneEntriesCopied.sum(),
                CostEvent.TLB_FLUSH, tlbFlushes.sum(),
                CostEvent.MULTICALL, flushes.sum());
    }

    /** @return the counters by name, in their fixed order */
    Map<String, Long> snapshot() {
        long live = shadowsLive.get();
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("shadows-live", live);
        m.put("shadows-peak", shadowsPeak.get());
        m.put("shadow-bytes", live * PagingMode.PAGE_SIZE);
        m.put("traps", traps.sum());
        m.put("clones", clones.sum());
        m.put("clone-entries-copied", cloneEntriesCopied.sum());
        m.put("entries-translated", entriesTranslated.sum());
        m.put("lazy-queued", lazyQueued.sum());
        m.put("flushes", flushes.sum());
        m.put("violations-recorded", violationsRecorded.sum());
        return m;
    }
}
