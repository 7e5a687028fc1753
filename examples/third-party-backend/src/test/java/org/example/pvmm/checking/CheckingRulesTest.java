package org.example.pvmm.checking;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The checking backend catches the guest bugs its rules are about, on the real guest model. */
class CheckingRulesTest {

    private static RunReport runWith(GuestBug bug) {
        return new GuestRun(PagingMode.TWO_LEVEL, GuestConfig.DEFAULTS.withBugs(Set.of(bug)),
                BuiltInWorkloads.find("fork-exit", new WorkloadSettings(12, 8, 4, 12, 4)).orElseThrow())
                .run(BackendFactory.of(new CheckingProvider()));
    }

    @Test
    @DisplayName("a pte page freed without release_pt is refused when the guest announces the frame again")
    void catchesASkippedRelease() {
        RunReport report = runWith(GuestBug.SKIP_RELEASE_PT);
        assertThat(report.violations()).extracting(RunReport.ViolationRecord::rule).containsExactly("frame-announced-twice");
    }

    @Test
    @DisplayName("a release of a frame already back in the free pool is refused")
    void catchesAFreeBeforeRelease() {
        RunReport report = runWith(GuestBug.FREE_BEFORE_RELEASE);
        assertThat(report.violations()).extracting(RunReport.ViolationRecord::rule).containsExactly("release-of-free-frame");
    }

    @Test
    @DisplayName("a correct guest runs clean")
    void acceptsACorrectGuest() {
        RunReport report = new GuestRun(PagingMode.PAE, GuestConfig.DEFAULTS.withVcpus(2),
                BuiltInWorkloads.find("smp-mixed", new WorkloadSettings(30, 8, 4, 30, 4)).orElseThrow())
                .run(BackendFactory.of(new CheckingProvider()));
        assertThat(report.violations()).isEmpty();
        assertThat(report.findings()).isEmpty();
        assertThat(report.counters()).containsKeys("announced.pt", "links.checked", "lazy.sections");
        assertThat(report.counters().get("links.checked")).isPositive();
    }
}
