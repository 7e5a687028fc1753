package io.pvmm.bench;

import io.pvmm.api.PagingMode;
import io.pvmm.bench.guest.BackendChoice;
import io.pvmm.bench.guest.BenchGuest;
import io.pvmm.bench.ops.ForkExitOp;
import io.pvmm.bench.ops.PageFaultOp;
import io.pvmm.guest.arch.Paravirt;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of the hooks on {@code native}: fork+exit and page faults on a guest whose backend is
 * {@code native}, chosen through ServiceLoader and Guice, against the same guest in a JVM run with
 * {@code -Dpvmm.paravirt=false} (the model's {@code CONFIG_PARAVIRT=n}: the hooks fold to nothing and
 * the writes to plain stores). Both sides build the guest identically; only the switch differs.
 *
 * <p>Each comparison is a pair of methods whose names sort next to each other ({@code ...1CompiledOut}
 * then {@code ...2Native}), so JMH runs the two sides' forks back to back and drift on a shared machine
 * falls on both alike.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(5)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class HookCostBenchmark {

    /** The JVM option that compiles the hooks out. */
    static final String COMPILED_OUT = "-Dpvmm.paravirt=false";

    static BenchGuest boot(PagingMode mode) {
        return BenchGuest.boot(BackendChoice.parse(BackendChoice.NATIVE), mode, Map.of());
    }

    /** A 2-level guest with init ready to fork. */
    @State(Scope.Thread)
    public static class TwoLevelFork {
        ForkExitOp op;

        /** Boots. */
        @Setup(Level.Trial)
        public void boot() {
            op = new ForkExitOp(HookCostBenchmark.boot(PagingMode.TWO_LEVEL), 1);
        }
    }

    /** A PAE guest with init ready to fork. */
    @State(Scope.Thread)
    public static class PaeFork {
        ForkExitOp op;

        /** Boots. */
        @Setup(Level.Trial)
        public void boot() {
            op = new ForkExitOp(HookCostBenchmark.boot(PagingMode.PAE), 1);
        }
    }

    /** A 2-level guest with a fault region mapped afresh before each invocation. */
    @State(Scope.Thread)
    public static class TwoLevelFault {
        PageFaultOp op;

        /** Boots. */
        @Setup(Level.Trial)
        public void boot() {
            op = new PageFaultOp(HookCostBenchmark.boot(PagingMode.TWO_LEVEL), 1);
        }

        /** Maps the region afresh; not measured. */
        @Setup(Level.Invocation)
        public void reset() {
            op.reset();
        }
    }

    /** A PAE guest with a fault region mapped afresh before each invocation. */
    @State(Scope.Thread)
    public static class PaeFault {
        PageFaultOp op;

        /** Boots. */
        @Setup(Level.Trial)
        public void boot() {
            op = new PageFaultOp(HookCostBenchmark.boot(PagingMode.PAE), 1);
        }

        /** Maps the region afresh; not measured. */
        @Setup(Level.Invocation)
        public void reset() {
            op.reset();
        }
    }

    /** Fails a compiled-out fork that is not. */
    @State(Scope.Benchmark)
    public static class CompiledOut {
        /** Checks the switch. */
        @Setup(Level.Trial)
        public void check() {
            if (Paravirt.CONFIG_PARAVIRT) {
                throw new IllegalStateException("CONFIG_PARAVIRT is on: this fork must run with " + COMPILED_OUT);
            }
        }
    }

    /** Fails a native fork that has the hooks compiled out. */
    @State(Scope.Benchmark)
    public static class Native {
        /** Checks the switch. */
        @Setup(Level.Trial)
        public void check() {
            if (!Paravirt.CONFIG_PARAVIRT) {
                throw new IllegalStateException("CONFIG_PARAVIRT is off in a native fork");
            }
        }
    }

    /**
     * The compiled-out side.
     *
     * @param s the guest
     * @param c the switch, checked off
     */
    @Benchmark
    @Fork(jvmArgsAppend = COMPILED_OUT)
    public void forkExitTwoLevel1CompiledOut(TwoLevelFork s, CompiledOut c) {
        s.op.run();
    }

    /**
     * The native side.
     *
     * @param s the guest
     * @param n the switch, checked on
     */
    @Benchmark
    public void forkExitTwoLevel2Native(TwoLevelFork s, Native n) {
        s.op.run();
    }

    /**
     * The compiled-out side.
     *
     * @param s the guest
     * @param c the switch, checked off
     */
    @Benchmark
    @Fork(jvmArgsAppend = COMPILED_OUT)
    public void forkExitPae1CompiledOut(PaeFork s, CompiledOut c) {
        s.op.run();
    }

    /**
     * The native side.
     *
     * @param s the guest
     * @param n the switch, checked on
     */
    @Benchmark
    public void forkExitPae2Native(PaeFork s, Native n) {
        s.op.run();
    }

    /**
     * The compiled-out side.
     *
     * @param s the guest
     * @param c the switch, checked off
     */
    @Benchmark
    @Fork(jvmArgsAppend = COMPILED_OUT)
    @OperationsPerInvocation(PageFaultOp.PAGES)
    public void pageFaultTwoLevel1CompiledOut(TwoLevelFault s, CompiledOut c) {
        s.op.run();
    }

    /**
     * The native side.
     *
     * @param s the guest
     * @param n the switch, checked on
     */
    @Benchmark
    @OperationsPerInvocation(PageFaultOp.PAGES)
    public void pageFaultTwoLevel2Native(TwoLevelFault s, Native n) {
        s.op.run();
    }

    /**
     * The compiled-out side.
     *
     * @param s the guest
     * @param c the switch, checked off
     */
    @Benchmark
    @Fork(jvmArgsAppend = COMPILED_OUT)
    @OperationsPerInvocation(PageFaultOp.PAGES)
    public void pageFaultPae1CompiledOut(PaeFault s, CompiledOut c) {
        s.op.run();
    }

    /**
     * The native side.
     *
     * @param s the guest
     * @param n the switch, checked on
     */
    @Benchmark
    @OperationsPerInvocation(PageFaultOp.PAGES)
    public void pageFaultPae2Native(PaeFault s, Native n) {
        s.op.run();
    }
}
