package io.pvmm.cli;

import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.observe.CountingOps;
import io.pvmm.guest.observe.Hook;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.workload.Op;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches one run of a comparison: samples the hook counts (and, with one vCPU, the backend's counters)
 * every few operations for the report's timeline, snapshots the translations when the workload is done,
 * and ticks the progress bar.
 */
final class Timeline implements RunObserver {

    /**
     * The counts at one point of the run.
     *
     * @param operations operations applied so far, on every vCPU
     * @param hooks      hook calls so far, by method
     * @param counters   the backend's counters so far (empty with several vCPUs, where reading them mid-run is not safe)
     */
    record Sample(long operations, Map<Hook, Long> hooks, Map<String, Long> counters) {

        /** @return every hook call so far */
        long totalHooks() {
            return hooks.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final long every;
    private final boolean counters;
    private final Progress progress;
    private final AtomicLong operations = new AtomicLong();
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private volatile TranslationDigest translations;

    /**
     * A timeline.
     *
     * @param every    sample every this many operations
     * @param vcpus    the run's vCPUs
     * @param progress told of each operation
     */
    Timeline(long every, int vcpus, Progress progress) {
        this.every = Math.max(1, every);
        this.counters = vcpus == 1;
        this.progress = progress;
    }

    @Override
    public void booted(GuestKernel kernel) {
        sample(kernel, 0);
    }

    @Override
    public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
        long n = operations.incrementAndGet();
        progress.operation();
        if (n % every == 0) {
            sample(kernel, n);
        }
    }

    @Override
    public void workloadDone(GuestKernel kernel) {
        translations = TranslationDigest.take(kernel);
    }

    @Override
    public void finished(GuestKernel kernel) {
        sample(kernel, operations.get());
    }

    private void sample(GuestKernel kernel, long n) {
        ParavirtOps ops = kernel.ops();
        Map<Hook, Long> hooks = ops instanceof CountingOps c ? c.counts() : new EnumMap<>(Hook.class);
        Map<String, Long> backend = counters ? new LinkedHashMap<>(ops.counters()) : Map.of();
        samples.add(new Sample(n, hooks, backend));
    }

    /** @return the samples, in order */
    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** @return the translations when the workload was done, or null if it did not finish */
    TranslationDigest translations() {
        return translations;
    }
}
