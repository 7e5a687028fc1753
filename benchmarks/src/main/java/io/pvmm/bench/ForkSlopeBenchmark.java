package io.pvmm.bench;

import io.pvmm.api.PagingMode;
import io.pvmm.bench.guest.BackendChoice;
import io.pvmm.bench.guest.BenchGuest;
import io.pvmm.bench.guest.Modes;
import io.pvmm.bench.ops.ForkExitOp;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.mm.Vma;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fork+exit time against the parent's mapped page tables: the parent maps an anonymous region and
 * writes {@link #PAGES_PER_TABLE} pages in each of {@code tables} pmd spans, so fork copies
 * {@code tables} pte pages (plus init's own two). Cost should grow linearly with {@code tables}; the
 * report fits the line and flags anything super-linear.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class ForkSlopeBenchmark {

    /** Pages written in each pte page's span. */
    public static final int PAGES_PER_TABLE = 8;
    /** Where the region starts: 256 MiB, 4 MiB-aligned. */
    public static final long REGION = 0x1000_0000L;

    /** A parent with {@code tables} pte pages mapped. */
    @State(Scope.Thread)
    public static class Parent {
        /** The paging mode. */
        @Param({"two-level", "pae"})
        public String mode;
        /** pte pages the parent has mapped beyond init's own. */
        @Param({"5", "20", "100", "500"})
        public int tables;
        ForkExitOp op;

        /** Boots the guest, starts init and maps its tables. */
        @Setup(Level.Trial)
        public void boot() {
            PagingMode m = Modes.of(mode);
            BenchGuest guest = BenchGuest.boot(BackendChoice.parse(BackendChoice.NATIVE), m, Map.of("guest.memory-mib", "512"));
            op = new ForkExitOp(guest, 1);
            Processes p = guest.processes();
            long span = m.pmdSize();
            long at = p.mmap(op.parent(), REGION, tables * span, Vma.READ | Vma.WRITE, 0, 0);
            if (at != REGION) {
                throw new IllegalStateException("mmap failed: " + at);
            }
            for (int t = 0; t < tables; t++) {
                for (int i = 0; i < PAGES_PER_TABLE; i++) {
                    BenchGuest.require(p.touch(op.parent(), REGION + t * span + ((long) i << PagingMode.PAGE_SHIFT), true), "touch");
                }
            }
        }
    }

    /**
     * One fork and one exit.
     *
     * @param p the parent
     */
    @Benchmark
    public void forkExit(Parent p) {
        p.op.run();
    }
}
