package io.pvmm.bench;

import io.pvmm.bench.guest.BackendChoice;
import io.pvmm.bench.guest.BenchGuest;
import io.pvmm.bench.guest.Modes;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link GuestOpsBenchmark}'s fork+exit and page fault with the paravirt calls compiled out: every
 * fork runs with {@code -Dpvmm.paravirt=false}, the model's {@code CONFIG_PARAVIRT=n}, so the hooks
 * fold to nothing and the writes to plain stores. The guest is built exactly as on {@code native}
 * (same runtime, same backend object, same layout); only the switch differs.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = "-Dpvmm.paravirt=false")
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class CompiledOutBenchmark {

    /** The backend the guest is built with; its hooks are never called. */
    static final String BACKEND = "native";

    static BenchGuest boot(String mode) {
        if (Paravirt.CONFIG_PARAVIRT) {
            throw new IllegalStateException("CONFIG_PARAVIRT is on: this fork must run with -Dpvmm.paravirt=false");
        }
        return BenchGuest.boot(BackendChoice.parse(BACKEND), Modes.of(mode), Map.of());
    }

    /** A guest with init ready to fork. */
    @State(Scope.Thread)
    public static class ForkExit {
        /** The paging mode. */
        @Param({"two-level", "pae"})
        public String mode;
        ForkExitOp op;

        /** Boots the guest and starts init. */
        @Setup(Level.Trial)
        public void boot() {
            op = new ForkExitOp(CompiledOutBenchmark.boot(mode), 1);
        }
    }

    /** A guest with a process whose fault region is mapped afresh before each invocation. */
    @State(Scope.Thread)
    public static class Fault {
        /** The paging mode. */
        @Param({"two-level", "pae"})
        public String mode;
        PageFaultOp op;

        /** Boots the guest and maps the region. */
        @Setup(Level.Trial)
        public void boot() {
            op = new PageFaultOp(CompiledOutBenchmark.boot(mode), 1);
        }

        /** Unmaps the faulted pages and maps the region again; not measured. */
        @Setup(Level.Invocation)
        public void reset() {
            op.reset();
        }
    }

    /**
     * One fork and one exit.
     *
     * @param s the guest
     */
    @Benchmark
    public void forkExit(ForkExit s) {
        s.op.run();
    }

    /**
     * Page faults; the score counts faults.
     *
     * @param s the guest
     */
    @Benchmark
    @OperationsPerInvocation(PageFaultOp.PAGES)
    public void pageFault(Fault s) {
        s.op.run();
    }
}
