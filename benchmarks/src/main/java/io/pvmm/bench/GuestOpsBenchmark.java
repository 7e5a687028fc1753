package io.pvmm.bench;

import io.pvmm.bench.guest.BackendChoice;
import io.pvmm.bench.guest.BenchGuest;
import io.pvmm.bench.guest.Modes;
import io.pvmm.bench.ops.ChangePageAttrOp;
import io.pvmm.bench.ops.ForkExitOp;
import io.pvmm.bench.ops.PageFaultOp;
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
 * The model's three hot operations on each backend, in each paging mode: fork+exit of a small
 * process, a write fault on a fresh anonymous page, and a {@code change_page_attr} round trip. The
 * guest is booted through the runtime (ServiceLoader, configuration, Guice) once per trial.
 *
 * <p>{@link CompiledOutBenchmark} runs the same operations with the hooks compiled out; the ratio of
 * the two on {@code native} is the cost of the hooks.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class GuestOpsBenchmark {

    /** A guest with init ready to fork. */
    @State(Scope.Thread)
    public static class ForkExit {
        /** The backend: {@code native} by hand; {@code run.sh} passes every discovered one ({@code ListBackends}). */
        @Param({"native"})
        public String backend;
        /** The paging mode. */
        @Param({"two-level", "pae"})
        public String mode;
        ForkExitOp op;

        /** Boots the guest and starts init. */
        @Setup(Level.Trial)
        public void boot() {
            op = new ForkExitOp(BenchGuest.boot(BackendChoice.parse(backend), Modes.of(mode), Map.of()), 1);
        }
    }

    /** A guest with a process whose fault region is mapped afresh before each invocation. */
    @State(Scope.Thread)
    public static class Fault {
        /** The backend. */
        @Param({"native"})
        public String backend;
        /** The paging mode. */
        @Param({"two-level", "pae"})
        public String mode;
        PageFaultOp op;

        /** Boots the guest and maps the region. */
        @Setup(Level.Trial)
        public void boot() {
            op = new PageFaultOp(BenchGuest.boot(BackendChoice.parse(backend), Modes.of(mode), Map.of()), 1);
        }

        /** Unmaps the faulted pages and maps the region again; not measured. */
        @Setup(Level.Invocation)
        public void reset() {
            op.reset();
        }
    }

    /** A booted guest with init running. */
    @State(Scope.Thread)
    public static class Cpa {
        /** The backend. */
        @Param({"native"})
        public String backend;
        /** The paging mode. */
        @Param({"two-level", "pae"})
        public String mode;
        ChangePageAttrOp op;

        /** Boots the guest. */
        @Setup(Level.Trial)
        public void boot() {
            BenchGuest guest = BenchGuest.boot(BackendChoice.parse(backend), Modes.of(mode), Map.of());
            guest.spawnInit(1);
            op = new ChangePageAttrOp(guest);
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

    /**
     * One {@code change_page_attr} round trip and {@code global_flush_tlb}.
     *
     * @param s the guest
     */
    @Benchmark
    public void changePageAttr(Cpa s) {
        s.op.run();
    }
}
