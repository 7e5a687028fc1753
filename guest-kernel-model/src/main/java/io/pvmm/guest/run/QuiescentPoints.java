package io.pvmm.guest.run;

import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.workload.Op;
import io.pvmm.guest.workload.Workload;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * Makes a run stop at quiescent points, where {@link GuestRun} audits the backend on its
 * {@link AuditSchedule} and a test may check what it likes: wraps a workload so that every vCPU, after each
 * phase of its own operations, parks between two operations until all vCPUs have; then one action runs
 * (an audit, the invariants) while no vCPU is inside a call and lazy MMU mode is off everywhere, as
 * {@link io.pvmm.api.ParavirtOps#audit()} requires. A vCPU whose stream has ended keeps taking part
 * until every stream has, so the guest stays quiescent during every action.
 *
 * <p>Waits are bounded: a vCPU stopped by a violation breaks the barrier and the others end their
 * streams; a phase that does not complete within two minutes does the same, and is reported by
 * {@link #problems()}.
 *
 * <pre>{@code
 * QuiescentPoints points = new QuiescentPoints(workload, cpu -> 16, (kernel, phase) -> assertThat(kernel.ops().audit()).isEmpty());
 * RunReport report = backend.run(mode, config.withVcpus(2), points, points.observer());
 * assertThat(points.problems()).isEmpty();
 * }</pre>
 */
public final class QuiescentPoints implements Workload {

    /** What runs at each quiescent point. */
    @FunctionalInterface
    public interface Action {
        /**
         * Runs while every vCPU is parked.
         *
         * @param kernel the guest
         * @param phase  how many quiescent points came before this one
         */
        void at(GuestKernel kernel, long phase);
    }

    private static final long PHASE_TIMEOUT_SECONDS = 120;

    private final Workload inner;
    private final IntUnaryOperator opsPerPhase;
    private final Action action;
    private volatile Action also;
    private final List<Throwable> problems = Collections.synchronizedList(new ArrayList<>());
    private volatile GuestKernel kernel;
    private volatile long phases;

    /**
     * Wraps a workload.
     *
     * @param inner       the workload whose streams run between quiescent points
     * @param opsPerPhase how many operations each vCPU runs between two points, by vCPU
     * @param action      what runs at each point; an {@link AssertionError} it throws is kept in {@link #problems()}
     */
    public QuiescentPoints(Workload inner, IntUnaryOperator opsPerPhase, Action action) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.opsPerPhase = Objects.requireNonNull(opsPerPhase, "opsPerPhase");
        this.action = Objects.requireNonNull(action, "action");
    }

    /**
     * Sets the action that runs at every point after this one's own: how {@link GuestRun} audits a
     * workload that already stops at quiescent points of its own. A later run's replaces an earlier's.
     *
     * @param next the action
     */
    void alsoAt(Action next) {
        also = Objects.requireNonNull(next, "next");
    }

    /** @return the observer to run with, which hands the booted guest to the actions */
    public RunObserver observer() {
        return new RunObserver() {
            @Override
            public void booted(GuestKernel k) {
                kernel = k;
            }
        };
    }

    /** @return what went wrong at the quiescent points: failed actions, a phase that timed out */
    public List<Throwable> problems() {
        return List.copyOf(problems);
    }

    /** @return how many quiescent points the last run reached */
    public long phases() {
        return phases;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String description() {
        return inner.description() + ", parked at quiescent points";
    }

    @Override
    public boolean crossStream() {
        return inner.crossStream();
    }

    /**
     * Gives the points the guest whose vCPUs park at them, so they take IPIs while parked; the
     * {@link #observer()} does it at boot, and {@link GuestRun} for the points it makes itself.
     *
     * @param k the booted guest
     */
    void bind(GuestKernel k) {
        kernel = k;
    }

    @Override
    public List<Iterator<Op>> streams(int vcpus, long seed) {
        List<Iterator<Op>> streams = inner.streams(vcpus, seed);
        AtomicInteger ended = new AtomicInteger();
        AtomicBoolean allEnded = new AtomicBoolean();
        phases = 0;
        Barrier barrier = new Barrier(streams.size(), () -> {
            allEnded.set(ended.get() == streams.size());
            try {
                action.at(kernel, phases);
            } catch (Throwable t) {
                problems.add(t);
            }
            Action a = also;
            if (a != null) {
                a.at(kernel, phases);
            }
            phases++;
        });
        List<Iterator<Op>> wrapped = new ArrayList<>();
        for (int cpu = 0; cpu < streams.size(); cpu++) {
            wrapped.add(new Phased(streams.get(cpu), Math.max(1, opsPerPhase.applyAsInt(cpu)), barrier, ended, allEnded));
        }
        return wrapped;
    }

    /**
     * The vCPUs' meeting point: the last to arrive runs the action while the others wait, then all go
     * on. A waiting vCPU is idle with interrupts enabled: it takes the IPIs a vCPU still running sends
     * it. A wait that is interrupted or times out breaks the barrier for every vCPU.
     */
    private final class Barrier {
        private final int parties;
        private final Runnable atPoint;
        private final AtomicInteger arrived = new AtomicInteger();
        private volatile long generation;
        private volatile boolean broken;

        Barrier(int parties, Runnable atPoint) {
            this.parties = parties;
            this.atPoint = atPoint;
        }

        /** @return whether the point was reached; false when the barrier broke */
        boolean await() {
            if (broken) {
                return false;
            }
            long gen = generation;
            if (arrived.incrementAndGet() == parties) {
                arrived.set(0);
                try {
                    atPoint.run();
                } finally {
                    generation = gen + 1;
                    kickAll();
                }
                return true;
            }
            GuestKernel k = kernel;
            boolean done;
            if (k == null) {
                done = waitPlainly(gen);
            } else {
                done = k.machine().apic().spinUntil(() -> generation != gen || broken || Thread.currentThread().isInterrupted(),
                        TimeUnit.SECONDS.toNanos(PHASE_TIMEOUT_SECONDS));
            }
            if (generation != gen) {
                return true;
            }
            if (!done) {
                problems.add(new AssertionError("a quiescent point was not reached within " + PHASE_TIMEOUT_SECONDS + " s"));
            }
            broken = true;
            kickAll();
            return false;
        }

        /** Without a guest to take IPIs on (points used outside a run): a plain bounded wait. */
        private boolean waitPlainly(long gen) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PHASE_TIMEOUT_SECONDS);
            while (generation == gen && !broken && !Thread.currentThread().isInterrupted()) {
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
            }
            return true;
        }

        private void kickAll() {
            GuestKernel k = kernel;
            if (k != null) {
                k.machine().apic().kickAll();
            }
        }
    }

    /** One vCPU's stream, parking at the barrier after every phase. */
    private final class Phased implements Iterator<Op> {
        private final Iterator<Op> stream;
        private final int perPhase;
        private final Barrier barrier;
        private final AtomicInteger ended;
        private final AtomicBoolean allEnded;
        private int inPhase;
        private boolean done;
        private boolean over;

        Phased(Iterator<Op> stream, int perPhase, Barrier barrier, AtomicInteger ended, AtomicBoolean allEnded) {
            this.stream = stream;
            this.perPhase = perPhase;
            this.barrier = barrier;
            this.ended = ended;
            this.allEnded = allEnded;
        }

        @Override
        public boolean hasNext() {
            while (!over) {
                if (!done && inPhase < perPhase && stream.hasNext()) {
                    return true;
                }
                if (!done && !stream.hasNext()) {
                    done = true;
                    ended.incrementAndGet();
                }
                if (!barrier.await()) {
                    over = true;
                    break;
                }
                inPhase = 0;
                if (done && allEnded.get()) {
                    over = true;
                }
            }
            return false;
        }

        @Override
        public Op next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            inPhase++;
            return stream.next();
        }
    }
}
