package io.pvmm.backend.xen;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every built-in workload on the real guest model, in both paging modes, on one and two vCPUs. */
class XenEndToEndTest {

    static final WorkloadSettings SIZES = new WorkloadSettings(60, 8, 6, 60, 8);
    /** 64 MiB guests: boot cost grows with lowmem (one pte page per 4 MiB, every pte checked). */
    static final GuestConfig GUEST = GuestConfig.DEFAULTS.withMemoryMib(64);

    static List<Arguments> runs() {
        List<Arguments> runs = new ArrayList<>();
        for (PagingMode mode : PagingMode.values()) {
            for (int vcpus = 1; vcpus <= 2; vcpus++) {
                for (String workload : BuiltInWorkloads.all(SIZES).keySet()) {
                    runs.add(Arguments.of(mode, vcpus, workload));
                }
            }
        }
        return runs;
    }

    @ParameterizedTest(name = "{0}, {1} vCPU(s), {2}")
    @MethodSource("runs")
    @DisplayName("a workload runs to the end with no violation, a clean audit, every table released and pins matched by unpins")
    void workload(PagingMode mode, int vcpus, String workload) {
        RunReport report = new GuestRun(mode, GUEST.withVcpus(vcpus), BuiltInWorkloads.all(SIZES).get(workload))
                .run(BackendFactory.of(new XenProvider()));
        Map<String, Long> c = report.counters();

        assertThat(report.violations()).isEmpty();
        assertThat(report.bug()).isNull();
        assertThat(report.failure()).isNull();
        assertThat(report.completed()).isTrue();
        assertThat(report.findings()).isEmpty();
        assertThat(report.balanced()).isTrue();
        assertThat(report.noLeak()).isTrue();
        assertThat(c.get("unpins")).as("each address space's root is unpinned at its exit_mmap").isEqualTo(report.hooks().get("exitMmap"));
        assertThat(c.get("pins")).isEqualTo(c.get("unpins") + 1); // the kernel's root stays pinned
        assertThat(c.get("hypercalls")).isPositive();
        assertThat(c.get("mmu-update-entries")).isPositive();
        assertThat(c.get("entries-validated")).isPositive();
        assertThat(c.get("typed-frames")).isPositive().isLessThanOrEqualTo(c.get("typed-frames-peak"));
        if (!workload.equals("boot")) {
            assertThat(report.operations()).isPositive();
            assertThat(c.get("pins")).isGreaterThan(1);
            assertThat(c.get("multicalls")).isPositive();
            assertThat(c.get("update-va-mapping")).isPositive();
            if (workload.equals("lat-protfault")) {
                // it forks nothing and its loop maps nothing; its exit unpins before the teardown: no store
                // to a pinned table, so nothing for Xen to trap and emulate
                assertThat(c.get("emulated-writes")).isZero();
            } else {
                assertThat(c.get("emulated-writes")).isPositive();
            }
        }
    }
}
