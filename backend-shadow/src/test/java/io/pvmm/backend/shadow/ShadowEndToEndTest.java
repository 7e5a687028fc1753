package io.pvmm.backend.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.Op;
import io.pvmm.guest.workload.Workload;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every built-in workload, both paging modes, one and two vCPUs, in sync and out-of-sync mode, on the real guest. */
class ShadowEndToEndTest {

    static final WorkloadSettings SIZES = new WorkloadSettings(60, 8, 6, 60, 8);
    private static final int AUDIT_EVERY = 5;

    static Stream<Arguments> runs() {
        List<Arguments> runs = new ArrayList<>();
        for (String workload : BuiltInWorkloads.all(SIZES).keySet()) {
            for (PagingMode mode : PagingMode.values()) {
                for (int vcpus = 1; vcpus <= 2; vcpus++) {
                    for (boolean oos : new boolean[] {false, true}) {
                        runs.add(Arguments.of(workload, mode, vcpus, oos));
                    }
                }
            }
        }
        return runs.stream();
    }

    private static Workload workload(String name) {
        return BuiltInWorkloads.find(name, SIZES).orElseThrow();
    }

    @ParameterizedTest(name = "{0}, {1}, {2} vCPU, out-of-sync {3}")
    @MethodSource("runs")
    @DisplayName("a built-in workload runs clean, its audit empty at every few operations on one vCPU and at the end")
    void workloadRunsClean(String name, PagingMode mode, int vcpus, boolean oos) {
        CapturingFactory factory = new CapturingFactory(Map.of(ShadowProvider.OUT_OF_SYNC, Boolean.toString(oos)));
        List<List<Finding>> dirty = new ArrayList<>();
        RunReport r = new GuestRun(mode, GuestConfig.DEFAULTS.withVcpus(vcpus), workload(name)).observe(new RunObserver() {
            @Override
            public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
                if (vcpus == 1 && index % AUDIT_EVERY == 0) {
                    List<Finding> f = factory.backend().audit();
                    if (!f.isEmpty()) {
                        dirty.add(f);
                    }
                }
            }
        }).run(factory);

        assertThat(r.violations()).isEmpty();
        assertThat(r.bug()).isNull();
        assertThat(r.failure()).isNull();
        assertThat(r.completed()).isTrue();
        assertThat(r.findings()).isEmpty();
        assertThat(dirty).isEmpty();
        assertThat(r.noLeak()).isTrue();
        Map<String, Long> c = r.counters();
        assertThat(c.get("cache-misses")).as("swapper_pg_dir at least").isPositive();
        assertThat(c.get("shadows-live")).isPositive();
        assertThat(c.get("traps")).isEqualTo(c.get("traps-pte-write") + c.get("traps-pmd-write") + c.get("traps-root-write")
                + c.get("traps-data-write"));
        if (!name.equals("boot")) {
            assertThat(c.get("traps")).isPositive();
            assertThat(c.get("shadows-dropped")).isPositive();
        }
        if (!oos) {
            assertThat(c.get("unsyncs")).isZero();
        }
    }
}
