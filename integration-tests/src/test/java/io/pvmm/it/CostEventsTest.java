package io.pvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.CostEvent;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every built-in backend reports typed cost events, taken from the same state as its own counters. */
@DisplayName("typed cost events of the built-in backends")
class CostEventsTest {

    private static BackendProvider provider(String backend) {
        return Backends.discovered().stream().filter(b -> b.name().equals(backend)).findFirst().orElseThrow();
    }

    private static RunReport run(String backend, PagingMode mode) {
        BackendProvider p = provider(backend);
        return new GuestRun(mode, GuestConfig.DEFAULTS.withMemoryMib(64),
                BuiltInWorkloads.find("fork-exit", WorkloadSettings.DEFAULTS).orElseThrow()).run(BackendFactory.of(p));
    }

    private static long ev(RunReport r, CostEvent e) {
        return r.costEvents().get(e.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.pvmm.it.Backends#withModes")
    @DisplayName("every discovered backend reports cost events, and they are in the run's report")
    void everyBackendReports(Backends.Named b) {
        RunReport r = new GuestRun(b.mode(), GuestConfig.DEFAULTS.withMemoryMib(64),
                BuiltInWorkloads.find("fork-exit", WorkloadSettings.DEFAULTS).orElseThrow()).run(BackendFactory.of(b.provider()));
        assertThat(r.costEvents()).as("%s", b).isNotEmpty();
        assertThat(r.costEventsAfterBoot().values()).as("%s", b).allMatch(n -> n >= 0);
    }

    @Test
    @DisplayName("native reports every event, at zero")
    void nativeAddsNothing() {
        RunReport r = run("native", PagingMode.TWO_LEVEL);
        assertThat(r.costEvents().keySet()).containsExactlyElementsOf(Arrays.stream(CostEvent.values()).map(CostEvent::id).toList());
        assertThat(r.costEvents().values()).containsOnly(0L);
    }

    @Test
    @DisplayName("xen's events are its hypercalls, validated entries, emulated writes, pins and unpins, multicalls and bounced page faults")
    void xen() {
        for (PagingMode mode : provider("xen").pagingModes()) {
            RunReport r = run("xen", mode);
            Map<String, Long> c = r.counters();
            assertThat(ev(r, CostEvent.HYPERCALL)).isEqualTo(c.get("hypercalls")).isPositive();
            assertThat(ev(r, CostEvent.VALIDATED_ENTRY)).isEqualTo(c.get("entries-validated")).isPositive();
            assertThat(ev(r, CostEvent.TRAP_AND_EMULATE)).isEqualTo(c.get("emulated-writes"));
            assertThat(ev(r, CostEvent.PIN)).isEqualTo(c.get("pins") + c.get("unpins")).isPositive();
            assertThat(ev(r, CostEvent.MULTICALL)).isEqualTo(c.get("multicalls")).isPositive();
            assertThat(ev(r, CostEvent.TLB_FLUSH)).isPositive().isLessThanOrEqualTo(c.get("mmuext-ops"));
            Map<String, Long> tlb = r.tlbTotals();
            long pageFaults = tlb.getOrDefault("faults", 0L) + tlb.getOrDefault("walks", 0L) - tlb.getOrDefault("fills", 0L);
            assertThat(ev(r, CostEvent.VM_EXIT)).as("every guest page fault enters Xen and is bounced to the guest")
                    .isEqualTo(pageFaults).isPositive();
            assertThat(r.costEvents()).doesNotContainKeys(CostEvent.SHADOW_UPDATE.id());
        }
    }

    @Test
    @DisplayName("vmi's events are its ROM calls, shadow entries written, queue flushes and TLB flushes")
    void vmi() {
        for (PagingMode mode : provider("vmi").pagingModes()) {
            RunReport r = run("vmi", mode);
            Map<String, Long> c = r.counters();
            assertThat(ev(r, CostEvent.HYPERCALL)).isGreaterThan(c.get("traps"));
            assertThat(ev(r, CostEvent.SHADOW_UPDATE)).isEqualTo(c.get("entries-translated") + c.get("clone-entries-copied"));
            assertThat(ev(r, CostEvent.MULTICALL)).isEqualTo(c.get("flushes"));
            assertThat(ev(r, CostEvent.TLB_FLUSH)).isPositive();
        }
    }

    @Test
    @DisplayName("shadow's events are its trapped stores, its other exits and the shadow entries it wrote")
    void shadow() {
        for (PagingMode mode : provider("shadow").pagingModes()) {
            RunReport r = run("shadow", mode);
            Map<String, Long> c = r.counters();
            assertThat(ev(r, CostEvent.TRAP_AND_EMULATE)).isEqualTo(c.get("traps")).isPositive();
            assertThat(ev(r, CostEvent.VM_EXIT)).isGreaterThan(c.get("hidden-faults") + c.get("guest-faults"));
            assertThat(ev(r, CostEvent.SHADOW_UPDATE)).isEqualTo(c.get("entries-translated")).isPositive();
            assertThat(r.costEvents()).doesNotContainKeys(CostEvent.HYPERCALL.id());
        }
    }

    @Test
    @DisplayName("nested's events are its exits, its 2-D walks and the host references they add")
    void nested() {
        for (PagingMode mode : provider("nested").pagingModes()) {
            RunReport r = run("nested", mode);
            Map<String, Long> c = r.counters();
            assertThat(ev(r, CostEvent.VM_EXIT)).isEqualTo(c.get("vm-exits")).isPositive();
            assertThat(ev(r, CostEvent.TLB_MISS)).isEqualTo(c.get("nested-walks")).isPositive();
            assertThat(ev(r, CostEvent.WALK_REFERENCE)).isEqualTo(c.get("walk-references") - c.get("guest-walk-entries")
                    + c.get("aborted-walk-references")).isPositive();
        }
    }
}
