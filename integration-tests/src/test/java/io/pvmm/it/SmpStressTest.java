package io.pvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.WorkloadSettings;
import io.pvmm.tck.BackendUnderTest;
import io.pvmm.tck.GuestInvariants;
import io.pvmm.guest.run.QuiescentPoints;
import io.pvmm.tck.RunAssertions;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bounded, seeded runs of {@code smp-mixed} on 2 to 4 vCPU threads (forks, exits, mmap churn,
 * change_page_attr, vmalloc), parked at quiescent points where every backend's audit must be empty and
 * the guest's invariants hold; at the end, balanced hooks and no leak.
 */
@DisplayName("SMP stress: several vCPUs, every backend clean")
class SmpStressTest {

    private static final WorkloadSettings SETTINGS = new WorkloadSettings(Sizes.of(40, 300), 10, 6, Sizes.of(40, 300), 6);
    private static final int PHASE = 32;
    /** A 64 MiB guest: the workload fits, and audits at quiescent points stay quick on every backend. */
    private static final GuestConfig GUEST = GuestConfig.DEFAULTS.withMemoryMib(64);

    static Stream<Arguments> runs() {
        return Backends.withModes().flatMap(b -> IntStream.rangeClosed(2, 4).boxed()
                .flatMap(vcpus -> IntStream.rangeClosed(1, Sizes.of(2, 10)).mapToObj(seed -> Arguments.of(b, vcpus, seed))));
    }

    @ParameterizedTest(name = "{0}, {1} vCPUs, seed {2}")
    @MethodSource("runs")
    @DisplayName("keeps the audit empty at every quiescent point and ends balanced")
    void staysClean(Backends.Named b, int vcpus, int seed) {
        QuiescentPoints points = new QuiescentPoints(BuiltInWorkloads.find("smp-mixed", SETTINGS).orElseThrow(), cpu -> PHASE,
                (kernel, phase) -> check(kernel, phase));
        BackendUnderTest backend = new BackendUnderTest(b.provider(), Map.of(), x -> false);
        RunReport report = backend.run(b.mode(), GUEST.withVcpus(vcpus).withSeed(seed), points, points.observer());
        assertThat(points.problems()).as("%s: quiescent points", b).isEmpty();
        assertThat(points.phases()).as("%s: quiescent points reached", b).isGreaterThan(10);
        RunAssertions.assertClean(report, b + ", " + vcpus + " vCPUs, seed " + seed);
        assertThat(report.operations()).isPositive();
    }

    private static void check(GuestKernel kernel, long phase) {
        assertThat(kernel.ops().audit()).as("audit at quiescent point %d", phase).isEmpty();
        assertThat(GuestInvariants.staleKernelEntries(kernel)).as("kernel entries at quiescent point %d", phase).isEmpty();
        assertThat(GuestInvariants.userPermissions(kernel)).as("user permissions at quiescent point %d", phase).isEmpty();
        if (phase % 16 == 0) {
            assertThat(GuestInvariants.directMap(kernel)).as("direct map at quiescent point %d", phase).isEmpty();
        }
    }
}
