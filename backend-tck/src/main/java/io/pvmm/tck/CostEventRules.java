package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.CostEvent;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The typed cost events of {@link io.pvmm.api.ParavirtOps#costEvents()}, held lightly: a backend
 * need not report any, but what it reports is consistent — never negative, never falling, the same
 * events on every call, and in the run's report as the backend gave them.
 */
abstract class CostEventRules extends KitRules {

    CostEventRules(Supplier<BackendUnderTest> backend) {
        super(backend);
    }

    @Test
    @DisplayName("reports cost events that are never negative, never fall, and keep the same events through a run")
    void costEventsAreConsistent() {
        for (PagingMode mode : modes()) {
            List<Map<CostEvent, Long>> samples = new ArrayList<>();
            RunReport report = backend().run(mode, KitRules.GUEST,
                    BuiltInWorkloads.find("fork-exit", BootRules.SMALL).orElseThrow(), new RunObserver() {
                        @Override
                        public void booted(GuestKernel kernel) {
                            samples.add(Map.copyOf(kernel.ops().costEvents()));
                        }

                        @Override
                        public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
                            if (index % 16 == 0) {
                                samples.add(Map.copyOf(kernel.ops().costEvents()));
                            }
                        }
                    });
            RunAssertions.assertClean(report, "fork-exit in " + mode.configName() + " mode");
            String where = backend().name() + " in " + mode.configName() + " mode";
            assertThat(samples).as("%s: samples of costEvents()", where).hasSizeGreaterThan(1);
            for (int i = 0; i < samples.size(); i++) {
                Map<CostEvent, Long> s = samples.get(i);
                assertThat(s.keySet()).as("%s: the events of sample %d", where, i).isEqualTo(samples.get(0).keySet());
                s.forEach((e, n) -> assertThat(n).as("%s: %s in sample", where, e.id()).isNotNull().isNotNegative());
                if (i > 0) {
                    Map<CostEvent, Long> before = samples.get(i - 1);
                    s.forEach((e, n) -> assertThat(n).as("%s: %s never falls", where, e.id())
                            .isGreaterThanOrEqualTo(before.get(e)));
                }
            }
            Map<String, Long> last = new java.util.LinkedHashMap<>();
            samples.get(samples.size() - 1).forEach((e, n) -> last.put(e.id(), n));
            assertThat(report.costEvents().keySet()).as("%s: the report carries the events the backend reports", where)
                    .containsExactlyInAnyOrderElementsOf(last.keySet());
            report.costEvents().forEach((id, n) -> assertThat(n).as("%s: %s in the report", where, id)
                    .isGreaterThanOrEqualTo(last.get(id)));
        }
    }
}
