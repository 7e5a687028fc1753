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
 * every few operations for the report's timeline, keeps the process events, snapshots the translations when the workload is done,
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

    /**
     * A process event of the run, marked on the report's timelines.
     *
     * @param operation the operations applied when it happened, this one included
     * @param kind      {@code spawn}, {@code fork}, {@code clone}, {@code exec} or {@code exit}
     * @param pid       the process it made (fork, clone: the child) or that did it
     */
    record Event(long operation, String kind, int pid) {

        /** @return the event in words, for a chart's hover label */
        String describe() {
            return kind + " of pid " + pid + " at operation " + operation;
        }

        /**
         * The process event an operation is, if it is one.
         *
         * @param n  the operations applied, this one included
         * @param op the operation
         * @return the event, or null for an operation that creates, execs or ends no process
         */
        static Event of(long n, Op op) {
            if (op instanceof Op.Spawn s) {
                return new Event(n, "spawn", s.pid());
            }
            if (op instanceof Op.Fork f) {
                return new Event(n, "fork", f.child());
            }
            if (op instanceof Op.Clone c) {
                return new Event(n, "clone", c.tid());
            }
            if (op instanceof Op.Exec e) {
                return new Event(n, "exec", e.pid());
            }
            return op instanceof Op.Exit e ? new Event(n, "exit", e.pid()) : null;
        }
    }

    /** The most process events kept for the timelines; a run with more marks the first ones. */
    static final int MAX_EVENTS = 500;

    private final long every;
    private final boolean counters;
    private final Progress progress;
    private final AtomicLong operations = new AtomicLong();
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong eventCount = new AtomicLong();
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
        Event e = Event.of(n, op);
        if (e != null && eventCount.incrementAndGet() <= MAX_EVENTS) {
            events.add(e);
        }
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

    /** @return the first {@link #MAX_EVENTS} process events, in the order they happened */
    List<Event> events() {
        synchronized (events) {
            return events.stream().sorted(java.util.Comparator.comparingLong(Event::operation)).toList();
        }
    }

    /** @return how many process events the run had, those not kept included */
    long eventCount() {
        return eventCount.get();
    }

    /** @return the translations when the workload was done, or null if it did not finish */
    TranslationDigest translations() {
        return translations;
    }
}
