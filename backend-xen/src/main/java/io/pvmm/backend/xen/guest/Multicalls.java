package io.pvmm.backend.xen.guest;

import io.pvmm.backend.xen.XenRule;
import io.pvmm.backend.xen.mm.Hypercall;
import io.pvmm.backend.xen.mm.Hypervisor;
import io.pvmm.backend.xen.mm.XenViolation;
import java.util.ArrayList;
import java.util.List;

/**
 * The guest's per-vCPU multicall buffers and lazy MMU mode ({@code arch/i386/xen/multicalls.c} and
 * {@code xen_set_lazy_mode}, 2.6.23; research notes §3.6).
 *
 * <ul>
 *   <li>{@link #queue}: in lazy MMU mode (and with batching on) a request waits in the vCPU's buffer
 *       of {@value #MC_BATCH} entries, which is issued as one multicall when full, when lazy mode is
 *       left, and before any direct hypercall of that vCPU ({@code xen_mc_flush} first, so order is
 *       kept among hypercalls); otherwise the request is issued at once. A plain store, trapped or
 *       not, does not flush it: the hardware does not know of the guest's buffer, so queued updates
 *       land after stores made meanwhile, as on Xen;</li>
 *   <li>{@link #queueOrTry}: {@code xen_set_pte_at}'s {@code update_va_mapping}, queued in lazy mode,
 *       else tried at once;</li>
 *   <li>{@link #issue}: a direct hypercall, after the vCPU's pending batch;</li>
 *   <li>{@link #batch}: an explicit batch (pinning, unpinning), issued as multicalls of at most
 *       {@value #MC_BATCH} entries.</li>
 * </ul>
 *
 * <p>Lazy mode is never nested and always paired; breaking that is a violation.
 *
 * <p><b>Threading:</b> per-vCPU state, indexed by the calling vCPU; callers hold the domain lock.
 */
final class Multicalls {

    /** {@code MC_BATCH}: entries per multicall buffer. */
    static final int MC_BATCH = 32;

    private final Hypervisor hv;
    private final boolean lazyBatching;
    private final List<List<Hypercall>> buffers = new ArrayList<>();
    private final boolean[] lazy;

    /**
     * Creates empty buffers.
     *
     * @param hv           the hypervisor
     * @param vcpus        how many vCPUs
     * @param lazyBatching whether lazy mode queues requests ({@code lazy-batching})
     */
    Multicalls(Hypervisor hv, int vcpus, boolean lazyBatching) {
        this.hv = hv;
        this.lazyBatching = lazyBatching;
        this.lazy = new boolean[vcpus];
        for (int i = 0; i < vcpus; i++) {
            buffers.add(new ArrayList<>(MC_BATCH));
        }
    }

    /**
     * A request that may wait for the batch: queued in lazy mode, issued at once otherwise
     * ({@code xen_mc_issue(PARAVIRT_LAZY_MMU)}).
     *
     * @param cpu  the calling vCPU
     * @param call the request
     */
    void queue(int cpu, Hypercall call) {
        if (!lazy[cpu] || !lazyBatching) {
            issue(cpu, call);
            return;
        }
        List<Hypercall> buffer = buffers.get(cpu);
        buffer.add(call);
        if (buffer.size() == MC_BATCH) {
            flush(cpu);
        }
    }

    /**
     * A direct hypercall, after whatever the vCPU has queued.
     *
     * @param cpu  the calling vCPU
     * @param call the request
     */
    void issue(int cpu, Hypercall call) {
        flush(cpu);
        hv.hypercall(cpu, call);
    }

    /**
     * An explicit batch, after whatever the vCPU has queued: multicalls of at most {@value #MC_BATCH}
     * entries ({@code xen_mc_batch} ... {@code xen_mc_issue(0)}).
     *
     * @param cpu     the calling vCPU
     * @param entries the requests, in order
     */
    void batch(int cpu, List<Hypercall> entries) {
        flush(cpu);
        for (int from = 0; from < entries.size(); from += MC_BATCH) {
            hv.multicall(cpu, entries.subList(from, Math.min(entries.size(), from + MC_BATCH)));
        }
    }

    /**
     * {@code xen_mc_flush}: issues the vCPU's pending requests as one multicall.
     *
     * @param cpu the calling vCPU
     */
    void flush(int cpu) {
        List<Hypercall> buffer = buffers.get(cpu);
        if (buffer.isEmpty()) {
            return;
        }
        try {
            hv.multicall(cpu, buffer); // runs the entries and keeps no reference to the list
        } finally {
            buffer.clear(); // issued, or failed: a failing batch is a BUG(), its rest is not retried
        }
    }

    /**
     * {@code xen_set_pte_at}'s request: in lazy MMU mode it waits in the batch like any other (and a
     * refusal is the batch's failure); otherwise it is issued at once, after the pending batch, and a
     * refusal is reported back so that the port falls back to a plain store ("return if it
     * succeeded; otherwise fall back to xen_set_pte").
     *
     * @param cpu  the calling vCPU
     * @param call the request
     * @return false if the request was issued at once and Xen refused it
     */
    boolean queueOrTry(int cpu, Hypercall call) {
        if (lazy[cpu] && lazyBatching) {
            queue(cpu, call);
            return true;
        }
        flush(cpu);
        try {
            hv.hypercall(cpu, call);
            return true;
        } catch (XenViolation refused) {
            return false;
        }
    }

    /**
     * {@code xen_set_lazy_mode(PARAVIRT_LAZY_MMU)}.
     *
     * @param cpu the calling vCPU
     * @throws XenViolation {@code lazy-mode-nested} if the vCPU is in lazy mode already
     */
    void enterLazy(int cpu) {
        if (lazy[cpu]) {
            throw new XenViolation(XenRule.LAZY_MODE_NESTED, -1, "enterLazyMmu on vCPU " + cpu + ", which is in lazy MMU mode",
                    "lazy mode off", "lazy mode on");
        }
        flush(cpu);
        lazy[cpu] = true;
    }

    /**
     * {@code xen_set_lazy_mode(PARAVIRT_LAZY_NONE)}: the batch is issued.
     *
     * @param cpu the calling vCPU
     * @throws XenViolation {@code lazy-mode-unpaired} if the vCPU is not in lazy mode, or the rule a
     *                      queued request broke
     */
    void leaveLazy(int cpu) {
        if (!lazy[cpu]) {
            throw new XenViolation(XenRule.LAZY_MODE_UNPAIRED, -1, "leaveLazyMmu on vCPU " + cpu + ", which is not in lazy MMU mode",
                    "lazy mode on", "lazy mode off");
        }
        lazy[cpu] = false;
        flush(cpu);
    }
}
