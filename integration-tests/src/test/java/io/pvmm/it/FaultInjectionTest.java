package io.pvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.Op;
import io.pvmm.guest.workload.Workload;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Allocation failures: at every page allocation of a small workload, one run each, and at seeded
 * random points of a larger one. The guest's out-of-memory paths (the {@code pgd_alloc} unwind, a
 * failed split, a fault that kills its task, a failed fork or exec) must leave every backend clean: no
 * violation, no guest {@code BUG()}, an empty audit, balanced hooks, no frame leaked.
 */
@DisplayName("fault injection: allocation failures leave every backend clean")
class FaultInjectionTest {

    /** Forks, remaps, change_page_attr and vmalloc; a few hundred allocations. */
    private static final WorkloadSettings SMALL = new WorkloadSettings(Sizes.of(5, 12), 4, 3, Sizes.of(5, 12), 3);
    private static final WorkloadSettings LARGER = new WorkloadSettings(Sizes.of(60, 400), 12, 6, Sizes.of(60, 400), 6);
    private static final double PROBABILITY = 0.01;
    /** A 64 MiB guest: the workloads fit, and each run's boot and audit stay quick on every backend. */
    private static final GuestConfig GUEST = GuestConfig.DEFAULTS.withMemoryMib(64);

    private static Workload workload(WorkloadSettings s) {
        return BuiltInWorkloads.find("smp-mixed", s).orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.pvmm.it.Backends#withModes")
    @DisplayName("fails each allocation of a small workload in turn")
    void failsEachAllocationInTurn(Backends.Named b) {
        long[] range = allocationsOfTheWorkload(b);
        List<String> problems = new ArrayList<>();
        long outOfMemory = 0;
        for (long k = range[0] + 1; k <= range[1]; k++) {
            RunReport r = new GuestRun(b.mode(), GUEST.withFailAllocAt(k), workload(SMALL)).run(BackendFactory.of(b.provider()));
            check(r, "allocation " + k, problems);
            assertThat(r.injected()).as("%s: failures injected with fail-alloc-at=%d", b, k).isEqualTo(1);
            outOfMemory += r.outcomes().get("ENOMEM") > 0 ? 1 : 0;
        }
        assertThat(problems).as("%s: runs with one failed allocation out of %d", b, range[1] - range[0]).isEmpty();
        assertThat(range[1] - range[0]).as("%s: allocations in the workload", b).isBetween(100L, 2_000L);
        assertThat(outOfMemory).as("%s: runs where an operation saw ENOMEM", b).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.pvmm.it.Backends#withModes")
    @DisplayName("fails allocations at seeded random points of a larger workload")
    void failsAllocationsAtRandom(Backends.Named b) {
        List<String> problems = new ArrayList<>();
        long injected = 0;
        for (long seed = 1; seed <= Sizes.of(8, 40); seed++) {
            GuestConfig config = GUEST.withSeed(seed).withFailAllocProbability(PROBABILITY);
            RunReport r = new GuestRun(b.mode(), config, workload(LARGER)).run(BackendFactory.of(b.provider()));
            check(r, "seed " + seed, problems);
            injected += r.injected();
        }
        assertThat(problems).as("%s: runs with failures injected at random", b).isEmpty();
        assertThat(injected).as("%s: failures injected", b).isPositive();
    }

    /** The allocations made between boot and the end of the workload: {@code (after boot, at the end]}. */
    private static long[] allocationsOfTheWorkload(Backends.Named b) {
        long[] range = new long[2];
        // allocations are numbered only while injection is on: count them with a failure that never comes
        RunReport r = new GuestRun(b.mode(), GUEST.withFailAllocAt(Long.MAX_VALUE), workload(SMALL)).observe(new RunObserver() {
            @Override
            public void booted(GuestKernel kernel) {
                range[0] = kernel.pool().failures().attempts();
            }

            @Override
            public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
                range[1] = kernel.pool().failures().attempts();
            }
        }).run(BackendFactory.of(b.provider()));
        assertThat(r.completed()).isTrue();
        return range;
    }

    private static void check(RunReport r, String where, List<String> problems) {
        if (problems.size() >= 10) {
            return;
        }
        if (!r.violations().isEmpty() || r.bug() != null || r.failure() != null || !r.completed() || !r.findings().isEmpty()
                || !r.balanced() || !r.noLeak()) {
            problems.add(where + ": completed " + r.completed() + ", violations " + r.violations() + ", bug " + r.bug()
                    + ", failure " + r.failure() + ", findings " + r.findings() + ", balanced " + r.balanced()
                    + ", free pages " + r.freePages() + " (" + r.bootFreePages() + " after boot, " + r.kernelTables() + " new kernel tables)");
        }
    }
}
