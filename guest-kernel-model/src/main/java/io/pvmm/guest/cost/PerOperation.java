package io.pvmm.guest.cost;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.observe.CountingOps;
import io.pvmm.guest.observe.Hook;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.LmbenchWorkload;
import io.pvmm.guest.workload.Op;
import java.util.EnumMap;
import java.util.Map;

/**
 * The counts of one timed operation of an lmbench-shaped workload (a fork, a page fault, a context
 * switch): the counts over every iteration but the first, divided by those iterations and by the
 * operations in each. The setup, the first iteration (which fills the slab's and the page
 * allocator's caches) and the teardown are left out, as lmbench's warm-up and its subtraction of the
 * loop's own overhead leave them out of its figure.
 *
 * @param workload the workload's name
 * @param backend  the backend's name
 * @param mode     the paging mode
 * @param counts   the guest's work and the backend's events per operation
 * @param hooks    the SPI calls per operation, by hook
 * @param report   the run's report
 */
public record PerOperation(String workload, String backend, PagingMode mode, WorkCounts counts, Map<Hook, Double> hooks,
                           RunReport report) {

    /**
     * Runs the workload on one vCPU and counts one operation.
     *
     * @param workload the workload, with at least two iterations
     * @param mode     the paging mode
     * @param config   the guest's settings (one vCPU is used whatever they say)
     * @param factory  the backend
     * @return the counts per operation
     */
    public static PerOperation measure(LmbenchWorkload workload, PagingMode mode, GuestConfig config, BackendFactory factory) {
        if (workload.iterations() < 2) {
            throw new IllegalArgumentException(workload.name() + ": at least two iterations are needed, the first is left out");
        }
        long from = workload.setupOps() + workload.opsPerIteration();
        long to = workload.setupOps() + (long) workload.iterations() * workload.opsPerIteration();
        Probe probe = new Probe(from, to);
        RunReport report = new GuestRun(mode, config.withVcpus(1), workload).observe(probe).run(factory);
        if (probe.end == null) {
            throw new IllegalStateException(workload.name() + " on " + factory.name() + " stopped before its last iteration: "
                    + (report.violations().isEmpty() ? report.bug() != null ? report.bug() : report.failure()
                    : report.violations().get(0).rule()));
        }
        double ops = (double) (workload.iterations() - 1) * workload.operationsPerIteration();
        Map<Hook, Double> hooks = new EnumMap<>(Hook.class);
        probe.endHooks.forEach((h, n) -> hooks.put(h, (n - probe.startHooks.getOrDefault(h, 0L)) / ops));
        return new PerOperation(workload.name(), factory.name(), mode, probe.end.minus(probe.start).dividedBy(ops), hooks, report);
    }

    /**
     * Runs any workload and counts one of its operations: the counts from the end of boot to the end of
     * the workload, divided by the operations applied.
     *
     * @param workload the workload
     * @param mode     the paging mode
     * @param config   the guest's settings (one vCPU is used whatever they say)
     * @param factory  the backend
     * @return the counts per workload operation
     */
    public static PerOperation measureWhole(io.pvmm.guest.workload.Workload workload, PagingMode mode, GuestConfig config,
                                            BackendFactory factory) {
        Whole probe = new Whole();
        RunReport report = new GuestRun(mode, config.withVcpus(1), workload).observe(probe).run(factory);
        if (probe.end == null || report.operations() == 0) {
            throw new IllegalStateException(workload.name() + " on " + factory.name() + " did not run to its end");
        }
        double ops = report.operations();
        Map<Hook, Double> hooks = new EnumMap<>(Hook.class);
        probe.endHooks.forEach((h, n) -> hooks.put(h, (n - probe.startHooks.getOrDefault(h, 0L)) / ops));
        return new PerOperation(workload.name(), factory.name(), mode, probe.end.minus(probe.start).dividedBy(ops), hooks, report);
    }

    /** The counts at the end of boot and at the end of the workload. */
    private static final class Whole implements RunObserver {
        private long syscalls;
        private WorkCounts start;
        private WorkCounts end;
        private Map<Hook, Long> startHooks = Map.of();
        private Map<Hook, Long> endHooks = Map.of();

        @Override
        public void booted(GuestKernel kernel) {
            start = WorkCounts.of(kernel, 0);
            startHooks = Probe.hooks(kernel);
        }

        @Override
        public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
            syscalls += syscalls(op);
        }

        @Override
        public void workloadDone(GuestKernel kernel) {
            end = WorkCounts.of(kernel, syscalls);
            endHooks = Probe.hooks(kernel);
        }
    }

    /** Counts system calls as the operations go, and takes the counts at the two ends of the measured loop. */
    private static final class Probe implements RunObserver {
        private final long from;
        private final long to;
        private long syscalls;
        private WorkCounts start;
        private WorkCounts end;
        private Map<Hook, Long> startHooks = Map.of();
        private Map<Hook, Long> endHooks = Map.of();

        Probe(long from, long to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
            syscalls += syscalls(op);
            if (index == from) {
                start = WorkCounts.of(kernel, syscalls);
                startHooks = hooks(kernel);
            } else if (index == to) {
                end = WorkCounts.of(kernel, syscalls);
                endHooks = hooks(kernel);
            }
        }

        private static Map<Hook, Long> hooks(GuestKernel kernel) {
            return kernel.ops() instanceof CountingOps c ? new EnumMap<>(c.counts()) : Map.of();
        }
    }

    /**
     * The system calls an operation stands for: one each, and a fork two, the parent's {@code wait}
     * with it. A touch is none; a kernel operation is none.
     *
     * @param op an operation
     * @return its system calls
     */
    static int syscalls(Op op) {
        if (op instanceof Op.Fork) {
            return 2;
        }
        return op instanceof Op.Exec || op instanceof Op.Mmap || op instanceof Op.Munmap || op instanceof Op.Mprotect
                || op instanceof Op.Brk || op instanceof Op.Exit || op instanceof Op.Clone || op instanceof Op.Sigaction
                || op instanceof Op.Sigreturn ? 1 : 0;
    }
}
