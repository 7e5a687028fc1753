package io.pvmm.guest.hw;

import io.pvmm.api.PagingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The guest's TLBs, one per vCPU, and the flushes the kernel makes on them
 * ({@code __flush_tlb}, {@code __flush_tlb_global}, {@code __flush_tlb_one}, a CR3 write), each on the
 * calling vCPU: a flush of another vCPU's TLB is an IPI ({@link Apic}) that the target takes and
 * flushes itself.
 *
 * <p><b>Threading:</b> the flushes act on the calling vCPU's TLB, from its own thread; only the reset
 * of an offline vCPU's TLB ({@link #invalidateOffline}) may come from any thread.
 */
public final class Tlbs {

    private final Tlb[] tlbs;
    private final IntSupplier currentCpu;

    /**
     * Creates one empty TLB per vCPU.
     *
     * @param vcpus      how many
     * @param geometry   their shape
     * @param mode       the paging mode
     * @param pge        CR4.PGE
     * @param currentCpu answers the calling vCPU ({@code smp_processor_id()})
     */
    public Tlbs(int vcpus, TlbGeometry geometry, PagingMode mode, boolean pge, IntSupplier currentCpu) {
        this.tlbs = new Tlb[vcpus];
        for (int i = 0; i < vcpus; i++) {
            tlbs[i] = new Tlb(i, geometry, mode, pge);
        }
        this.currentCpu = currentCpu;
    }

    /** @return the calling vCPU's TLB */
    public Tlb current() {
        int c = currentCpu.getAsInt();
        return tlbs[c < tlbs.length ? c : 0];
    }

    /**
     * One vCPU's TLB.
     *
     * @param cpu a vCPU
     * @return its TLB
     */
    public Tlb get(int cpu) {
        return tlbs[cpu];
    }

    /** @return how many vCPUs */
    public int count() {
        return tlbs.length;
    }

    /** A CR3 write, or {@code __flush_tlb}, on the calling vCPU: non-global entries go. */
    public void flushLocal() {
        current().flushNonGlobal();
    }

    /** {@code __flush_tlb_global} on the calling vCPU: every entry goes. */
    public void flushLocalGlobal() {
        current().flushAll();
    }

    /**
     * {@code __flush_tlb_one} ({@code invlpg}) on the calling vCPU.
     *
     * @param va the virtual address
     */
    public void flushLocalOne(long va) {
        current().invlpg(va);
    }

    /**
     * An offline vCPU's TLB is invalid when it runs again ({@link Tlb#requestReset}): a flush IPI left
     * it out.
     *
     * @param cpu the vCPU
     */
    public void invalidateOffline(int cpu) {
        tlbs[cpu].requestReset();
    }

    /** @return each vCPU's counters, by vCPU */
    public List<Map<String, Long>> counters() {
        List<Map<String, Long>> out = new ArrayList<>();
        for (Tlb t : tlbs) {
            out.add(t.counters().asMap());
        }
        return out;
    }

    /** @return every vCPU's counters summed, under the names of {@link TlbCounters#asMap()} */
    public Map<String, Long> totals() {
        Map<String, Long> sum = new LinkedHashMap<>();
        for (Tlb t : tlbs) {
            t.counters().asMap().forEach((k, v) -> sum.merge(k, v, Long::sum));
        }
        return sum;
    }
}
