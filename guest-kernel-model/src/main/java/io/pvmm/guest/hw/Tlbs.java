package io.pvmm.guest.hw;

import io.pvmm.api.PagingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The guest's TLBs, one per vCPU, and the flushes the kernel makes on them: its own
 * ({@code __flush_tlb}, {@code __flush_tlb_global}, {@code __flush_tlb_one}, a CR3 write) on the
 * calling vCPU, and a shootdown ({@code flush_tlb_others}) on the vCPU it targets.
 *
 * <p><b>Threading:</b> the local flushes act on the calling vCPU's TLB, from its own thread; a
 * shootdown may come from any vCPU and is applied by its target before the target's next lookup.
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
     * A shootdown: {@code flush_tlb_others} reaches {@code cpu}, which flushes its non-global entries
     * ({@code va} < 0, the kernel's {@code FLUSH_ALL}) or the page at {@code va}; with {@code global},
     * every entry ({@code flush_tlb_all}). A request to the calling vCPU itself is applied at once.
     *
     * @param cpu    the target vCPU
     * @param va     the page to flush, or a negative value for all non-global entries
     * @param global whether global entries go too (only with {@code va} < 0)
     */
    public void shootdown(int cpu, long va, boolean global) {
        Tlb t = tlbs[cpu];
        if (va < 0) {
            t.requestFlush(global);
        } else {
            t.requestInvlpg(va);
        }
        if (cpu == currentCpu.getAsInt()) {
            t.applyPending();
        }
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
