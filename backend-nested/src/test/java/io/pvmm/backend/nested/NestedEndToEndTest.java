package io.pvmm.backend.nested;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.WorkloadSettings;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("nested on the real guest")
class NestedEndToEndTest {

    private static RunReport run(PagingMode mode, int vcpus) {
        WorkloadSettings s = new WorkloadSettings(16, 8, 4, 16, 4);
        return new GuestRun(mode, GuestConfig.DEFAULTS.withMemoryMib(64).withVcpus(vcpus).withSeed(3),
                BuiltInWorkloads.find("fork-exit", s).orElseThrow()).run(BackendFactory.of(new NestedProvider()));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("fork-exit runs clean: every walk nested, exits only for violations, a clean audit")
    void forkExitRunsClean(PagingMode mode) {
        RunReport r = run(mode, 1);
        assertThat(r.completed()).isTrue();
        assertThat(r.problemsFound()).as("%s", r.findings()).isFalse();
        assertThat(r.balanced()).isTrue();
        assertThat(r.noLeak()).isTrue();
        long walks = r.tlbTotals().get("walks");
        assertThat(walks).isPositive();
        assertThat(r.counters().get("nested-walks")).isEqualTo(walks);
        assertThat(r.counters().get("vm-exits")).isEqualTo(r.counters().get("ept-violations"));
        double perWalk = (double) r.counters().get("walk-references") / walks;
        int n = mode == PagingMode.PAE ? 3 : 2;
        assertThat(perWalk).as("at most (n+1)(m+1)-1 a walk").isLessThanOrEqualTo((n + 1) * 5 - 1).isGreaterThan(n * 5 - 1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("two vCPUs run fork-exit clean")
    void smpRunsClean(PagingMode mode) {
        RunReport r = run(mode, 2);
        assertThat(r.completed()).isTrue();
        assertThat(r.problemsFound()).as("%s", r.findings()).isFalse();
        assertThat(r.tlb()).hasSize(2).allSatisfy(cpu -> assertThat(cpu.get("misses")).isPositive());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("the provider names itself, takes both modes and SPI 1.1, and knows its setting")
    void provider(PagingMode mode) {
        NestedProvider p = new NestedProvider();
        assertThat(p.name()).isEqualTo("nested");
        assertThat(p.pagingModes()).contains(mode);
        assertThat(p.spiVersion()).isEqualTo("1.1");
        assertThat(BackendSettings.defaults(p.settings()).getBoolean(NestedProvider.LARGE_HOST_PAGES)).isFalse();
    }
}
