package io.pvmm.backend.vmi;

import static org.assertj.core.api.Assertions.assertThat;

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
}
