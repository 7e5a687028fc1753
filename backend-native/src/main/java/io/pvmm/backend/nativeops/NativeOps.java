package io.pvmm.backend.nativeops;

import io.pvmm.api.CostEvent;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.ParavirtOps;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code native_nop} for the five lifecycle hooks, and the native page-table writes
 * ({@code native_set_pte}: {@code *ptep = pte}). Every other call keeps the SPI's default, which is
 * what bare hardware does. Nothing is counted and nothing can be wrong, so there are no counters and
 * the audit is always empty; every cost event is reported, at 0: bare hardware adds nothing to the
 * guest's own work.
 */
final class NativeOps implements ParavirtOps {

    private final GuestMemory memory;

    NativeOps(GuestMemory memory) {
        this.memory = Objects.requireNonNull(memory, "memory");
    }

    @Override
    public void allocPt(long pfn) {
    }

    @Override
    public void allocPd(long pfn) {
    }

    @Override
    public void allocPdClone(long pfn, long clonePfn, int start, int count) {
    }

    @Override
    public void releasePt(long pfn) {
    }

    @Override
    public void releasePd(long pfn) {
    }

    @Override
    public void setPte(long ptePa, long value) {
        memory.writeEntry(ptePa, value);
    }

    @Override
    public void setPteAt(long mmPgdPa, long address, long ptePa, long value) {
        memory.writeEntry(ptePa, value);
    }

    @Override
    public void setPteAtomic(long ptePa, long value) {
        memory.writeEntry(ptePa, value);
    }

    @Override
    public void setPmd(long pmdPa, long value) {
        memory.writeEntry(pmdPa, value);
    }

    @Override
    public void setPgd(long pgdEntryPa, long value) {
        memory.writeEntry(pgdEntryPa, value);
    }

    @Override
    public void pteClear(long mmPgdPa, long address, long ptePa) {
        memory.writeEntry(ptePa, 0);
    }

    @Override
    public void pmdClear(long pmdPa) {
        memory.writeEntry(pmdPa, 0);
    }

    /** Every event, at 0: nothing runs between the guest and the hardware. */
    @Override
    public Map<CostEvent, Long> costEvents() {
        Map<CostEvent, Long> m = new EnumMap<>(CostEvent.class);
        for (CostEvent e : CostEvent.values()) {
            m.put(e, 0L);
        }
        return m;
    }
}
