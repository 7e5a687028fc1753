package io.pvmm.backend.xen;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.run.AuditSchedule;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The named guest bugs the Xen backend catches, and by which rule. */
class GuestBugsTest {

    @ParameterizedTest(name = "{0} in {1} mode is caught as {2}")
    @CsvSource({
        "skip-release-pt, TWO_LEVEL, announce-of-announced-frame",
        "skip-release-pt, PAE, announce-of-announced-frame",
        "free-before-release, TWO_LEVEL, release-of-free-frame",
        "free-before-release, PAE, release-of-free-frame",
        "write-table-directly, TWO_LEVEL, direct-write-to-read-only-frame",
        "write-table-directly, PAE, direct-write-to-read-only-frame",
        "store-to-pinned-directory, TWO_LEVEL, direct-write-to-read-only-frame",
        "store-to-pinned-directory, PAE, direct-write-to-read-only-frame",
        "missing-alloc-pd, PAE, release-of-unannounced-frame",
    })
    @DisplayName("a guest bug stops the run with the violation of the rule it breaks")
    void caught(String bug, PagingMode mode, String rule) {
        GuestConfig config = XenEndToEndTest.GUEST.withBugs(Set.of(GuestBug.fromSettingName(bug).orElseThrow()));

        RunReport report = new GuestRun(mode, config, BuiltInWorkloads.all(XenEndToEndTest.SIZES).get("fork-exit"))
                .run(BackendFactory.of(new XenProvider()));

        assertThat(report.completed()).isFalse();
        assertThat(report.violations()).hasSize(1);
        assertThat(report.violations().get(0).rule()).isEqualTo(rule);
    }

    @ParameterizedTest(name = "{0} in {1} mode")
    @CsvSource({
        "missing-pte-update, TWO_LEVEL",
        "missing-pte-update, PAE",
        "missing-alloc-pd, TWO_LEVEL",
        "mmdrop-before-switch, TWO_LEVEL",
        "mmdrop-before-switch, PAE",
        "clear-pmd-directly, TWO_LEVEL",
        "clear-pmd-directly, PAE",
    })
    @DisplayName("a bug Xen cannot see, or one that does nothing in the mode, leaves the run clean")
    void notXensBusiness(String bug, PagingMode mode) {
        GuestConfig config = XenEndToEndTest.GUEST.withBugs(Set.of(GuestBug.fromSettingName(bug).orElseThrow()));

        RunReport report = new GuestRun(mode, config, BuiltInWorkloads.all(XenEndToEndTest.SIZES).get("fork-exit"))
                .run(BackendFactory.of(new XenProvider()));

        assertThat(report.completed()).isTrue();
        assertThat(report.violations()).isEmpty();
        assertThat(report.findings()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = PagingMode.class, names = "PAE")
    @DisplayName("skip-release-pt, PAE, audited after every operation: the unreleased pte pages are found in the free pool before one comes back"
            + " (2-level: one is announced again in the operation that freed it, before any audit)")
    void skipReleasePtFoundInTheFreePool(PagingMode mode) {
        GuestConfig config = XenEndToEndTest.GUEST.withBugs(Set.of(GuestBug.SKIP_RELEASE_PT));

        RunReport report = new GuestRun(mode, config, BuiltInWorkloads.all(XenEndToEndTest.SIZES).get("fork-exit"))
                .audit(new AuditSchedule(1)).run(BackendFactory.of(new XenProvider()));

        assertThat(report.findings()).extracting(f -> f.ruleId()).contains("page-table-in-free-pool");
        assertThat(report.violations()).extracting(RunReport.ViolationRecord::rule).containsExactly("announce-of-announced-frame");
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("without a bug the same run, audited after every operation, completes with no violation and no finding")
    void control(PagingMode mode) {
        RunReport report = new GuestRun(mode, XenEndToEndTest.GUEST, BuiltInWorkloads.all(XenEndToEndTest.SIZES).get("fork-exit"))
                .audit(new AuditSchedule(1)).run(BackendFactory.of(new XenProvider()));

        assertThat(report.completed()).isTrue();
        assertThat(report.violations()).isEmpty();
        assertThat(report.findings()).isEmpty();
        assertThat(report.balanced()).isTrue();
    }
}
