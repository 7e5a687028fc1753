package io.pvmm.bench;

import io.pvmm.api.PagingMode;
import io.pvmm.bench.guest.BackendChoice;
import io.pvmm.bench.guest.BenchGuest;
import io.pvmm.bench.ops.ChangePageAttrOp;
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
 * {@code change_page_attr} of a large page against the length of {@code pgd_list}: in 2-level mode
 * the split and the revert each run {@code set_pmd_pte}, which writes the entry of every root on the
 * list under {@code pgd_lock}. {@code processes} live processes each hold a root on the list. The
 * split's 1024 {@code set_pte}s are the fixed part; the slope is the cost per listed root.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class SetPmdPteSlopeBenchmark {

    /** A 2-level guest with {@code processes} live processes. */
    @State(Scope.Thread)
    public static class Guest {
        /** Live processes, each with a root on {@code pgd_list}. */
        @Param({"20", "80", "400", "2000"})
        public int processes;
        ChangePageAttrOp op;
        int listed;

        /** Boots the guest and forks the processes. */
        @Setup(Level.Trial)
        public void boot() {
            BenchGuest guest = BenchGuest.boot(BackendChoice.parse(BackendChoice.NATIVE), PagingMode.TWO_LEVEL, Map.of());
            guest.spawnInit(1);
            for (int i = 0; i < processes - 1; i++) {
                BenchGuest.require(guest.processes().fork(1, 2 + i), "fork");
            }
            listed = guest.kernel().pgTable().pgdListSnapshot().size();
            op = new ChangePageAttrOp(guest);
        }
    }

    /**
     * Split, revert, flush.
     *
     * @param g the guest
     */
    @Benchmark
    public void changePageAttr(Guest g) {
        g.op.run();
    }
}
