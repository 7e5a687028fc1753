package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.run.QuiescentPoints;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.CloneRaceWorkload;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Several vCPU threads at once, seeded and bounded: every vCPU parks at quiescent points
 * ({@link QuiescentPoints}) where the backend's audit and the guest's invariants must hold.
 */
abstract class SmpRules extends KitRules {

    /** Forks, remaps, change_page_attr and vmalloc on every vCPU; small enough to stay quick. */
    private static final WorkloadSettings SMP = new WorkloadSettings(16, 6, 4, 16, 4);
    /** Operations each vCPU runs between two quiescent points. */
    private static final int PHASE = 24;
    /** Rounds of the fork-beside-a-storm run. */
    private static final int RACE_ROUNDS = 40;

    SmpRules(Supplier<BackendUnderTest> backend) {
        super(backend);
    }

    @Test
    @DisplayName("keeps an empty audit and right translations at every quiescent point of a run on 2 and 4 vCPUs")
    void staysConsistentOnSeveralVcpus() {
        for (PagingMode mode : modes()) {
            for (int vcpus : new int[] {2, 4}) {
                runChecked(mode, "smp-mixed", KitRules.GUEST.withVcpus(vcpus).withSeed(vcpus));
            }
        }
    }

    @Test
    @DisplayName("keeps every root's kernel entries in step while one vCPU splits and reverts large pages and another constructs new roots")
    void keepsKernelEntriesInStepWhileRootsAreConstructed() {
        for (PagingMode mode : modes()) {
            QuiescentPoints points = new QuiescentPoints(new CloneRaceWorkload(RACE_ROUNDS), CloneRaceWorkload::phase,
                    (kernel, phase) -> check(kernel, phase));
            GuestConfig config = KitRules.GUEST.withVcpus(2).withSeed(11);
            RunReport report = backend().run(mode, config, points, points.observer());
            String where = "forks beside a change_page_attr storm, " + mode.configName() + " mode";
            assertThat(points.problems()).as("%s: quiescent points", where).isEmpty();
            assertThat(points.phases()).as("%s: quiescent points reached", where).isGreaterThan(RACE_ROUNDS);
            RunAssertions.assertClean(report, where);
        }
    }

    private void runChecked(PagingMode mode, String workload, GuestConfig config) {
        QuiescentPoints points = new QuiescentPoints(BuiltInWorkloads.find(workload, SMP).orElseThrow(), cpu -> PHASE,
                (kernel, phase) -> check(kernel, phase));
        RunReport report = backend().run(mode, config, points, points.observer());
        String where = workload + " on " + config.vcpus() + " vCPUs, seed " + config.seed() + ", " + mode.configName() + " mode";
        assertThat(points.problems()).as("%s: quiescent points", where).isEmpty();
        assertThat(points.phases()).as("%s: quiescent points reached", where).isGreaterThan(2);
        RunAssertions.assertClean(report, where);
    }

    private static void check(GuestKernel kernel, long phase) {
        String at = "at quiescent point " + phase;
        assertThat(kernel.ops().audit()).as("audit %s", at).isEmpty();
        assertThat(GuestInvariants.staleKernelEntries(kernel)).as("kernel entries of every root %s", at).isEmpty();
        assertThat(GuestInvariants.userPermissions(kernel)).as("user permissions %s", at).isEmpty();
        if (phase % 8 == 0) {
            assertThat(GuestInvariants.directMap(kernel)).as("direct map %s", at).isEmpty();
        }
    }
}
