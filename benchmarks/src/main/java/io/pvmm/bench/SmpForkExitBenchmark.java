package io.pvmm.bench;

import io.pvmm.bench.guest.BackendChoice;
import io.pvmm.bench.guest.BenchGuest;
import io.pvmm.bench.guest.Modes;
import io.pvmm.bench.ops.ForkExitOp;
import io.pvmm.guest.hw.VcpuThread;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fork+exit on {@code native} with one vCPU and with two: JMH's workers are the vCPUs
 * ({@link io.pvmm.bench.guest.VcpuExecutor}); each vCPU forks its own init's children, so the only
 * state the two share is the guest's (page allocator, slab caches, {@code pgd_lock}, frame metadata).
 * The score of {@link #twoVcpus} is the sum over both threads; its ratio to {@link #oneVcpu} is the
 * SMP scaling. {@link #twoGuests} is the control: two threads, each on a guest of its own,
 * sharing nothing of the model — what the machine and the JVM allow two threads to scale to.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Djmh.executor=CUSTOM", "-Djmh.executor.class=io.pvmm.bench.guest.VcpuExecutor"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class SmpForkExitBenchmark {

    /** A guest with {@code guest.vcpus} set, shared by the benchmark's threads. */
    public abstract static class Guest {
        BenchGuest guest;

        void boot(String mode, int vcpus) {
            guest = BenchGuest.boot(BackendChoice.parse(BackendChoice.NATIVE), Modes.of(mode), Map.of("guest.vcpus", Integer.toString(vcpus)));
        }
    }

    /** A one-vCPU guest. */
    @State(Scope.Benchmark)
    public static class OneVcpu extends Guest {
        /** The paging mode. */
        @Param({"two-level", "pae"})
        public String mode;

        /** Boots it. */
        @Setup(Level.Trial)
        public void boot() {
            boot(mode, 1);
        }
    }

    /** A two-vCPU guest. */
    @State(Scope.Benchmark)
    public static class TwoVcpus extends Guest {
        /** The paging mode. */
        @Param({"two-level", "pae"})
        public String mode;

        /** Boots it. */
        @Setup(Level.Trial)
        public void boot() {
            boot(mode, 2);
        }
    }

    /** One vCPU's own parent: init number {@code cpu}, children numbered in its own range. */
    @State(Scope.Thread)
    public static class Parent {
        ForkExitOp op;

        void start(Guest g) {
            int cpu = VcpuThread.currentId();
            op = new ForkExitOp(g.guest, 1 + cpu * 100_000_000);
        }
    }

    /** The parent on the one-vCPU guest. */
    @State(Scope.Thread)
    public static class ParentOnOne extends Parent {
        /**
         * Starts init.
         *
         * @param g the guest
         */
        @Setup(Level.Trial)
        public void start(OneVcpu g) {
            super.start(g);
        }
    }

    /** A parent on the two-vCPU guest. */
    @State(Scope.Thread)
    public static class ParentOnTwo extends Parent {
        /**
         * Starts this vCPU's init.
         *
         * @param g the guest
         */
        @Setup(Level.Trial)
        public void start(TwoVcpus g) {
            super.start(g);
        }
    }

    /** A guest of the calling thread's own (two vCPUs, so either worker can be its CPU; one runs). */
    @State(Scope.Thread)
    public static class OwnGuest {
        /** The paging mode. */
        @Param({"two-level", "pae"})
        public String mode;
        ForkExitOp op;

        /** Boots it and starts init. */
        @Setup(Level.Trial)
        public void boot() {
            op = new ForkExitOp(BenchGuest.boot(BackendChoice.parse(BackendChoice.NATIVE), Modes.of(mode), Map.of("guest.vcpus", "2")), 1);
        }
    }

    /**
     * Fork+exit on guests of their own, two threads at once: the scaling ceiling.
     *
     * @param g the thread's guest
     */
    @Benchmark
    @Threads(2)
    public void twoGuests(OwnGuest g) {
        g.op.run();
    }

    /**
     * Fork+exit on a one-vCPU guest, one thread.
     *
     * @param p the thread's parent
     */
    @Benchmark
    @Threads(1)
    public void oneVcpu(ParentOnOne p) {
        p.op.run();
    }

    /**
     * Fork+exit on a two-vCPU guest, two threads at once.
     *
     * @param p the thread's parent
     */
    @Benchmark
    @Threads(2)
    public void twoVcpus(ParentOnTwo p) {
        p.op.run();
    }
}
