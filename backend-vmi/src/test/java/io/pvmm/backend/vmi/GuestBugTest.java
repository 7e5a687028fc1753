package io.pvmm.backend.vmi;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.Op;
import io.pvmm.guest.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Which rule catches which guest bug, on the real model (fork-exit, one vCPU: deterministic). */
class GuestBugTest {

    private static Workload forkExit() {
        return BuiltInWorkloads.find("fork-exit", VmiEndToEndTest.SIZES).orElseThrow();
    }

    private static RunReport run(PagingMode mode, GuestBug bug, String onViolation) {
        return new GuestRun(mode, GuestConfig.DEFAULTS.withBugs(Set.of(bug)), forkExit())
                .run(BackendFactory.of(new VmiProvider(), Map.of("on-violation", onViolation)));
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("skip-release-pt: the unreleased pte page is refused when it is announced again")
    void skipReleasePtIsRefusedOnReuse(PagingMode mode) {
        RunReport r = run(mode, GuestBug.SKIP_RELEASE_PT, "throw");
        assertThat(r.violations()).extracting(RunReport.ViolationRecord::rule).containsExactly("alloc-of-typed-frame");
        assertThat(r.completed()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("skip-release-pt: recorded, the audit also finds typed frames left in the free pool")
    void skipReleasePtLeavesTypedFramesFree(PagingMode mode) {
        RunReport r = run(mode, GuestBug.SKIP_RELEASE_PT, "record");
        assertThat(r.completed()).isTrue();
        assertThat(r.violations()).isEmpty();
        assertThat(r.findings()).extracting(Finding::ruleId)
                .contains("alloc-of-typed-frame", "typed-frame-in-free-pool");
        assertThat(r.counters().get("violations-recorded")).isPositive();
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("free-before-release: the release of a frame already in the free pool is refused")
    void freeBeforeReleaseIsRefused(PagingMode mode) {
        RunReport r = run(mode, GuestBug.FREE_BEFORE_RELEASE, "throw");
        assertThat(r.violations()).extracting(RunReport.ViolationRecord::rule).containsExactly("release-of-free-frame");
        RunReport recorded = run(mode, GuestBug.FREE_BEFORE_RELEASE, "record");
        assertThat(recorded.findings()).extracting(Finding::ruleId).containsOnly("release-of-free-frame");
        assertThat(recorded.findings()).hasSize(Math.toIntExact(recorded.hooks().get("releasePt")));
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("write-table-directly: no hook refuses it, the audit finds the page directory's shadow out of date")
    void writeTableDirectlyFoundByAudit(PagingMode mode) {
        CapturingFactory factory = new CapturingFactory(Map.of());
        List<Finding> found = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        RunReport r = new GuestRun(mode, GuestConfig.DEFAULTS.withBugs(Set.of(GuestBug.WRITE_TABLE_DIRECTLY)), forkExit())
                .observe(new RunObserver() {
                    @Override
                    public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
                        VmiOps ops = (VmiOps) factory.backend();
                        for (Finding f : ops.audit()) {
                            found.add(f);
                            types.add(ops.pager().typeOf(f.pfn()));
                        }
                    }
                }).run(factory);

        assertThat(r.violations()).isEmpty();
        assertThat(found).isNotEmpty();
        assertThat(found).extracting(Finding::ruleId).containsOnly("shadow-mismatch");
        assertThat(types).as("the stale entry is in a page directory: the pmd the guest wrote behind the hook's back")
                .allMatch(t -> (t & PageTypeChecker.L2) != 0);
        assertThat(found).allSatisfy(f -> assertThat(Long.decode(f.found())).as("the shadow lacks the link").isZero());
    }

    /** A finding's entry, as {@code 0x...}: all 64 bits (NX is bit 63). */
    private static long entry(String hex) {
        return Long.parseUnsignedLong(hex.substring(2), 16);
    }

    /** Audits the backend after every operation of a fork-exit run, as a quiescent point allows. */
    private static RunReport auditEveryOp(PagingMode mode, Set<GuestBug> bugs, List<Finding> found, List<Integer> types) {
        CapturingFactory factory = new CapturingFactory(Map.of());
        return new GuestRun(mode, GuestConfig.DEFAULTS.withBugs(bugs), forkExit())
                .observe(new RunObserver() {
                    @Override
                    public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
                        VmiOps ops = (VmiOps) factory.backend();
                        for (Finding f : ops.audit()) {
                            found.add(f);
                            types.add(ops.pager().typeOf(f.pfn()));
                        }
                    }
                }).run(factory);
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("missing-pte-update: no hook refuses it, the audit finds a parent's pte still writable in the shadow after fork")
    void missingPteUpdateFoundByAudit(PagingMode mode) {
        List<Finding> found = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        RunReport r = auditEveryOp(mode, Set.of(GuestBug.MISSING_PTE_UPDATE), found, types);

        assertThat(r.violations()).isEmpty();
        assertThat(r.findings()).extracting(Finding::ruleId).contains("shadow-mismatch");
        assertThat(found).isNotEmpty();
        assertThat(found).extracting(Finding::ruleId).containsOnly("shadow-mismatch");
        assertThat(types).as("the stale entry is in a pte page: the pte write-protected behind the hook's back")
                .allMatch(t -> (t & PageTypeChecker.L1) != 0);
        assertThat(found).as("the shadow keeps RW, which the guest's entry has lost")
                .allSatisfy(f -> {
                    assertThat(entry(f.found()) & EntryBits.RW).isNotZero();
                    assertThat(entry(f.expected()) & EntryBits.RW).isZero();
                });
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("without the bug the same run, audited after every operation, finds nothing")
    void controlFindsNothing(PagingMode mode) {
        List<Finding> found = new ArrayList<>();
        RunReport r = auditEveryOp(mode, Set.of(), found, new ArrayList<>());

        assertThat(r.completed()).isTrue();
        assertThat(r.violations()).isEmpty();
        assertThat(r.findings()).isEmpty();
        assertThat(found).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = PagingMode.class, names = "PAE")
    @DisplayName("missing-alloc-pd: the PAE root entry linking a pmd never announced is refused")
    void missingAllocPdIsRefused(PagingMode mode) {
        RunReport r = run(mode, GuestBug.MISSING_ALLOC_PD, "throw");
        assertThat(r.completed()).isFalse();
        assertThat(r.violations()).extracting(RunReport.ViolationRecord::rule).containsExactly("link-to-unannounced-pmd");
    }

    @ParameterizedTest
    @EnumSource(value = PagingMode.class, names = "PAE")
    @DisplayName("missing-alloc-pd, recorded: the link, the pmd writes into the unannounced frame and its release at pgd_free each break vmi.c's page-type check")
    void missingAllocPdRecorded(PagingMode mode) {
        RunReport r = run(mode, GuestBug.MISSING_ALLOC_PD, "record");
        assertThat(r.completed()).isTrue();
        assertThat(r.violations()).isEmpty();
        assertThat(r.findings()).extracting(Finding::ruleId)
                .contains("link-to-unannounced-pmd", "write-to-unannounced-frame", "release-of-untyped-frame");
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("store-to-pinned-directory: a pmd written with set_pte is accepted, as vmi_set_pte accepts a page directory")
    void storeToPinnedDirectoryIsAccepted(PagingMode mode) {
        RunReport r = run(mode, GuestBug.STORE_TO_PINNED_DIRECTORY, "throw");
        assertThat(r.completed()).isTrue();
        assertThat(r.violations()).isEmpty();
        assertThat(r.findings()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("mmdrop-before-switch: exit_mm frees the pgd while CR3 still holds it, and the release of a table that vCPU has loaded is refused")
    void mmdropBeforeSwitchIsRefused(PagingMode mode) {
        RunReport r = run(mode, GuestBug.MMDROP_BEFORE_SWITCH, "throw");
        assertThat(r.completed()).isFalse();
        assertThat(r.violations()).extracting(RunReport.ViolationRecord::rule).containsExactly("release-of-loaded-root");
    }

    @ParameterizedTest
    @EnumSource(value = PagingMode.class, names = "TWO_LEVEL")
    @DisplayName("clear-pmd-directly: free_pte_range clears the pmd behind the hook; the pte page, released while the cached root's shadow links it, is refused when announced again")
    void clearPmdDirectlyIsRefusedOnReuse(PagingMode mode) {
        RunReport r = run(mode, GuestBug.CLEAR_PMD_DIRECTLY, "throw");
        assertThat(r.completed()).isFalse();
        assertThat(r.violations()).extracting(RunReport.ViolationRecord::rule).containsExactly("release-of-linked-table");
    }

    @ParameterizedTest
    @EnumSource(value = PagingMode.class, names = "PAE")
    @DisplayName("clear-pmd-directly: PAE pgd_free drops the pmd shadows, but an audit between free_pte_range and the root's release finds the released pte page still linked by the page directory's shadow")
    void clearPmdDirectlyFoundByAudit(PagingMode mode) {
        List<Finding> found = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        auditEveryOp(mode, Set.of(GuestBug.CLEAR_PMD_DIRECTLY), found, types);

        assertThat(found).extracting(Finding::ruleId).contains("release-of-linked-table")
                .containsOnly("release-of-linked-table", "shadow-mismatch");
        assertThat(found).filteredOn(f -> f.ruleId().equals("shadow-mismatch"))
                .as("the page directory's shadow keeps the link the guest cleared")
                .allSatisfy(f -> {
                    assertThat(entry(f.expected())).isZero();
                    assertThat(entry(f.found()) & EntryBits.PRESENT).isNotZero();
                });
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("without the bug the same refusing run completes: no violation, no finding")
    void controlRefusesNothing(PagingMode mode) {
        RunReport r = new GuestRun(mode, GuestConfig.DEFAULTS, forkExit())
                .run(BackendFactory.of(new VmiProvider(), Map.of("on-violation", "throw")));
        assertThat(r.completed()).isTrue();
        assertThat(r.violations()).isEmpty();
        assertThat(r.findings()).isEmpty();
    }
}
