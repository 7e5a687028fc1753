package io.pvmm.backend.shadow;

import io.pvmm.api.CostEvent;
import io.pvmm.api.PagingMode;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * The shadow backend's counters, under stable names in a fixed order:
 *
 * <table>
 *   <caption>Counters</caption>
 *   <tr><td>{@code traps}</td><td>stores into write-protected frames, all causes</td></tr>
 *   <tr><td>{@code traps-pte-write}, {@code traps-pmd-write}, {@code traps-root-write}, {@code traps-data-write}</td>
 *       <td>the same by cause ({@link TrapCause})</td></tr>
 *   <tr><td>{@code shadows-live}, {@code shadows-peak}, {@code shadow-bytes}</td><td>shadow tables held now, at most,
 *       and their memory (4 KiB a table, 32 bytes a PAE root)</td></tr>
 *   <tr><td>{@code shadows-created}, {@code shadows-dropped}</td><td>shadow tables built and thrown away</td></tr>
 *   <tr><td>{@code unshadowed-data}</td><td>tables unshadowed because they were written as data</td></tr>
 *   <tr><td>{@code unshadowed-unlinked}</td><td>tables dropped because no table the monitor walks links them</td></tr>
 *   <tr><td>{@code frames-protected}</td><td>write protections set on frames</td></tr>
 *   <tr><td>{@code cache-hits}, {@code cache-misses}, {@code cache-evictions}, {@code roots-cached}</td>
 *       <td>CR3 loads whose root had a shadow, or needed one built; roots evicted by the size limit; roots held now</td></tr>
 *   <tr><td>{@code hidden-faults}</td><td>guest accesses the shadow missed and the guest's tables map, fixed by the monitor</td></tr>
 *   <tr><td>{@code guest-faults}</td><td>accesses neither maps, left to the guest's fault handler</td></tr>
 *   <tr><td>{@code entries-synced}</td><td>shadow entries filled by hidden faults</td></tr>
 *   <tr><td>{@code unsyncs}, {@code resyncs}, {@code resync-entries}</td><td>L1s let out of sync, brought back in
 *       sync, and the entries that changed meanwhile</td></tr>
 *   <tr><td>{@code oos-refreshes}, {@code refresh-entries}</td><td>another vCPU's out-of-sync L1s brought up to date
 *       at a flush and left out of sync, and the entries that changed</td></tr>
 *   <tr><td>{@code entries-translated}</td><td>present entries translated through the p2m into a shadow</td></tr>
 * </table>
 *
 * <p>The {@link CostEvent}s come from the same counts, with two kept for them alone: the CR3 loads and
 * the TLB flushes the monitor intercepts.
 *
 * <p><b>Threading:</b> safe from any thread.
 */
final class ShadowCounters {

    private final EnumMap<TrapCause, LongAdder> traps = new EnumMap<>(TrapCause.class);
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong liveBytes = new AtomicLong();
    private final LongAccumulator peak = new LongAccumulator(Long::max, 0);
    private final LongAdder created = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder unshadowedData = new LongAdder();
    private final LongAdder unshadowedUnlinked = new LongAdder();
    private final LongAdder protections = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final AtomicLong rootsCached = new AtomicLong();
    private final LongAdder hiddenFaults = new LongAdder();
    private final LongAdder guestFaults = new LongAdder();
    private final LongAdder entriesSynced = new LongAdder();
    private final LongAdder unsyncs = new LongAdder();
    private final LongAdder resyncs = new LongAdder();
    private final LongAdder resyncEntries = new LongAdder();
    private final LongAdder refreshes = new LongAdder();
    private final LongAdder refreshEntries = new LongAdder();
    private final LongAdder translated = new LongAdder();
    private final LongAdder cr3Loads = new LongAdder();
    private final LongAdder tlbFlushes = new LongAdder();

    ShadowCounters() {
        for (TrapCause c : TrapCause.values()) {
            traps.put(c, new LongAdder());
        }
    }

    void trap(TrapCause cause) {
        traps.get(cause).increment();
    }

    void created(Shadow s) {
        created.increment();
        liveBytes.addAndGet(bytes(s));
        peak.accumulate(live.incrementAndGet());
    }

    void dropped(Shadow s) {
        dropped.increment();
        liveBytes.addAndGet(-bytes(s));
        live.decrementAndGet();
    }

    private static long bytes(Shadow s) {
        return s.level() == Shadow.Level.PDPT ? 32 : PagingMode.PAGE_SIZE;
    }

    void unshadowedData() {
        unshadowedData.increment();
    }

    void unshadowedUnlinked() {
        unshadowedUnlinked.increment();
    }

    void protectedFrame() {
        protections.increment();
    }

    void cacheHit() {
        hits.increment();
    }

    void cacheMiss() {
        misses.increment();
    }

    void evicted() {
        evictions.increment();
    }

    void rootsCached(int n) {
        rootsCached.set(n);
    }

    void hiddenFault(int entries) {
        hiddenFaults.increment();
        entriesSynced.add(entries);
    }

    void guestFault() {
        guestFaults.increment();
    }

    void unsynced() {
        unsyncs.increment();
    }

    void resynced(int entries) {
        resyncs.increment();
        resyncEntries.add(entries);
    }

    void refreshed(int entries) {
        refreshes.increment();
        refreshEntries.add(entries);
    }

    void translated(long entries) {
        if (entries != 0) {
            translated.add(entries);
        }
    }

    void cr3Load() {
        cr3Loads.increment();
    }

    void tlbFlush() {
        tlbFlushes.increment();
    }

    /**
     * The cost events: {@code trap-and-emulate} for every trapped store, {@code vm-exit} for every
     * other entry into the monitor (a hidden fault, a fault reflected to the guest, a CR3 load),
     * {@code shadow-update} for every shadow entry translated, {@code tlb-flush} for every flush.
     *
     * @return the counts, in {@link CostEvent} order
     */
    Map<CostEvent, Long> costEvents() {
        long trapped = 0;
        for (LongAdder a : traps.values()) {
            trapped += a.sum();
        }
        return CostEvent.counts(
                CostEvent.TRAP_AND_EMULATE, trapped,
                CostEvent.VM_EXIT, hiddenFaults.sum() + guestFaults.sum() + cr3Loads.sum(),
                CostEvent.SHADOW_UPDATE, translated.sum(),
                CostEvent.TLB_FLUSH, tlbFlushes.sum());
    }

    /** @return the counters by name, in their fixed order */
    Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        long all = 0;
        for (LongAdder a : traps.values()) {
            all += a.sum();
        }
        m.put("traps", all);
        for (TrapCause c : TrapCause.values()) {
            m.put(c.counter(), traps.get(c).sum());
        }
        m.put("shadows-live", live.get());
        m.put("shadows-peak", peak.get());
        m.put("shadow-bytes", liveBytes.get());
        m.put("shadows-created", created.sum());
        m.put("shadows-dropped", dropped.sum());
        m.put("unshadowed-data", unshadowedData.sum());
        m.put("unshadowed-unlinked", unshadowedUnlinked.sum());
        m.put("frames-protected", protections.sum());
        m.put("cache-hits", hits.sum());
        m.put("cache-misses", misses.sum());
        m.put("cache-evictions", evictions.sum());
        m.put("roots-cached", rootsCached.get());
        m.put("hidden-faults", hiddenFaults.sum());
        m.put("guest-faults", guestFaults.sum());
        m.put("entries-synced", entriesSynced.sum());
        m.put("unsyncs", unsyncs.sum());
        m.put("resyncs", resyncs.sum());
        m.put("resync-entries", resyncEntries.sum());
        m.put("oos-refreshes", refreshes.sum());
        m.put("refresh-entries", refreshEntries.sum());
        m.put("entries-translated", translated.sum());
        return m;
    }
}
