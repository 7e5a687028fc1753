package io.pvmm.backend.vmi;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
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
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every built-in workload, both paging modes, one and two vCPUs, on the real guest model. */
class VmiEndToEndTest {

    /** Modest sizes: the whole module's tests stay well under a minute. */
    static final WorkloadSettings SIZES = new WorkloadSettings(60, 8, 6, 60, 8);
    private static final int AUDIT_EVERY = 5;

    static Stream<Arguments> runs() {
        List<Arguments> runs = new ArrayList<>();
        for (String workload : BuiltInWorkloads.all(SIZES).keySet()) {
            for (PagingMode mode : PagingMode.values()) {
                for (int vcpus = 1; vcpus <= 2; vcpus++) {
                    runs.add(Arguments.of(workload, mode, vcpus));
                }
            }
        }
        return runs.stream();
    }

    static Stream<Arguments> uniprocessorRuns() {
        return runs().filter(a -> (int) a.get()[2] == 1);
    }

    private static Workload workload(String name) {
        return BuiltInWorkloads.find(name, SIZES).orElseThrow();
    }

    private static long net(RunReport r) {
        Map<String, Long> h = r.hooks();
        return h.get("allocPt") - h.get("releasePt") + h.get("allocPd") + h.get("allocPdClone") - h.get("releasePd");
    }

    /** The hooks that write a pte or pmd (or, two-level, a pgd entry: a pmd), each of which vmi traps. */
    private static long tableWrites(RunReport r) {
        Map<String, Long> h = r.hooks();
        return Stream.of("setPte", "setPteAt", "setPteAtomic", "setPmd", "pteClear", "pmdClear", "pteUpdate", "accessedDirtySet")
                .mapToLong(h::get).sum();
    }

    @ParameterizedTest(name = "{0}, {1}, {2} vCPU")
    @MethodSource("runs")
    @DisplayName("a built-in workload runs clean: no violation, empty audit, balanced hooks, no leak")
    void workloadRunsClean(String name, PagingMode mode, int vcpus) {
        RunReport r = new GuestRun(mode, GuestConfig.DEFAULTS.withVcpus(vcpus), workload(name))
                .run(BackendFactory.of(new VmiProvider()));

        assertThat(r.violations()).isEmpty();
        assertThat(r.bug()).isNull();
        assertThat(r.failure()).isNull();
        assertThat(r.completed()).isTrue();
        assertThat(r.findings()).isEmpty();
        assertThat(r.balanced()).isTrue();
        assertThat(r.noLeak()).isTrue();

        Map<String, Long> c = r.counters();
        assertThat(c.get("shadows-live")).as("one shadow per announced, unreleased table").isEqualTo(net(r)).isPositive();
        assertThat(c.get("shadows-peak")).isGreaterThanOrEqualTo(c.get("shadows-live"));
        assertThat(c.get("shadow-bytes")).isEqualTo(c.get("shadows-live") * 4096);
        if (vcpus == 1) {
            assertThat(c.get("traps")).as("every page-table write and pte_update is a ROM call on a typed frame; PAE's roots are not typed")
                    .isEqualTo(tableWrites(r));
        } else {
            // on two vCPUs a set_pte_atomic of change_page_attr may reach a root pgd_dtor has just released, which
            // vmi stores without a trap (PageTypeChecker): every other table write traps. A 2-level guest's
            // set_pte_atomic is pgtable-2level.h's set_pte, so there the bound is the setPte calls
            String atomic = mode == PagingMode.PAE ? "setPteAtomic" : "setPte";
            assertThat(c.get("traps")).as("table writes, less set_pte_atomics that met a released root")
                    .isBetween(tableWrites(r) - r.hooks().get(atomic), tableWrites(r));
        }
        assertThat(c.get("violations-recorded")).isZero();
        boolean processes = !name.equals("boot");
        if (mode == PagingMode.TWO_LEVEL && processes) {
            assertThat(c.get("clones")).isEqualTo(r.hooks().get("allocPdClone")).isPositive();
            assertThat(c.get("clone-entries-copied")).isEqualTo(256 * c.get("clones"));
        } else {
            assertThat(c.get("clones")).as("PAE roots are never announced; boot forks nothing").isZero();
        }
        if (processes) {
            if (name.equals("lat-protfault")) {
                // it forks nothing, its loop maps nothing, and its exit's teardown queues nothing lazily
                assertThat(c.get("lazy-queued")).isZero();
            } else {
                assertThat(c.get("lazy-queued")).isPositive();
                assertThat(c.get("flushes")).isPositive();
            }
            assertThat(c.get("shadows-peak")).isGreaterThan(c.get("shadows-live"));
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("uniprocessorRuns")
    @DisplayName("with PSE off, lowmem is mapped by pte pages, each announced, shadowed and clean")
    void withoutPse(String name, PagingMode mode) {
        RunReport r = new GuestRun(mode, GuestConfig.DEFAULTS.withPse(false), workload(name))
                .run(BackendFactory.of(new VmiProvider()));

        assertThat(r.violations()).isEmpty();
        assertThat(r.findings()).isEmpty();
        assertThat(r.balanced()).isTrue();
        assertThat(r.noLeak()).isTrue();
        long lowmemTables = (256L << 20) / mode.pmdSize(); // one pte page per PMD_SIZE of the 256 MiB guest
        assertThat(r.counters().get("shadows-live")).isEqualTo(net(r)).isGreaterThan(lowmemTables);
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("uniprocessorRuns")
    @DisplayName("with one vCPU the audit is empty after every few operations, not only at the end")
    void auditCleanThroughout(String name, PagingMode mode) {
        CapturingFactory factory = new CapturingFactory(Map.of());
        List<List<Finding>> dirty = new ArrayList<>();
        int[] audits = {0};
        RunReport r = new GuestRun(mode, GuestConfig.DEFAULTS, workload(name)).observe(new RunObserver() {
            @Override
            public void booted(GuestKernel kernel) {
                check();
            }

            @Override
            public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
                if (index % AUDIT_EVERY == 0) {
                    check();
                }
            }

            private void check() {
                audits[0]++;
                List<Finding> findings = factory.backend().audit();
                if (!findings.isEmpty()) {
                    dirty.add(findings);
                }
            }
        }).run(factory);

        assertThat(r.violations()).isEmpty();
        assertThat(dirty).isEmpty();
        assertThat(audits[0]).as("one audit at boot, then one every %d operations of the one vCPU", AUDIT_EVERY)
                .isEqualTo(1 + r.operations() / AUDIT_EVERY);
    }
}
