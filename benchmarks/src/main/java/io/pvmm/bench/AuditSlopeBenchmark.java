package io.pvmm.bench;

import io.pvmm.api.Finding;
import io.pvmm.api.ParavirtOps;
import io.pvmm.bench.guest.BackendChoice;
import io.pvmm.bench.guest.BenchGuest;
import io.pvmm.bench.guest.Modes;
import java.util.List;
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
 * A backend's {@code audit()} against the number of page-table frames it tracks: {@code processes}
 * live processes each hold a root and two pte pages. Only backends that keep per-frame state are
 * worth it ({@code vmi}, {@code xen}); {@code native}'s audit is empty by construction.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class AuditSlopeBenchmark {

    /** A guest with live processes. */
    @State(Scope.Thread)
    public static class Guest {
        /** The backend whose audit is timed; {@code run.sh} passes every discovered one but native ({@code ListBackends}). */
        @Param({"vmi", "xen"})
        public String auditBackend;
        /** The paging mode. */
        @Param({"two-level"})
        public String mode;
        /** Live processes. */
        @Param({"20", "80", "400", "2000"})
        public int processes;
        ParavirtOps ops;

        /** Boots the guest and forks the processes. */
        @Setup(Level.Trial)
        public void boot() {
            BenchGuest guest = BenchGuest.boot(BackendChoice.parse(auditBackend), Modes.of(mode), Map.of());
            guest.spawnInit(1);
            for (int i = 0; i < processes - 1; i++) {
                BenchGuest.require(guest.processes().fork(1, 2 + i), "fork");
            }
            ops = guest.kernel().ops();
            List<Finding> findings = ops.audit();
            if (!findings.isEmpty()) {
                throw new IllegalStateException("audit found problems before measuring: " + findings);
            }
        }
    }

    /**
     * One audit.
     *
     * @param g the guest
     * @return the findings (none)
     */
    @Benchmark
    public List<Finding> audit(Guest g) {
        return g.ops.audit();
    }
}
