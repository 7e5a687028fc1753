package io.pvmm.guest.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.api.ViolationRule;
import io.pvmm.guest.TestBackends;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.TraceReader;
import io.pvmm.guest.workload.TraceWorkload;
import io.pvmm.guest.workload.Workload;
import io.pvmm.guest.workload.WorkloadSettings;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.Mockito;
import org.mockito.invocation.Invocation;

@DisplayName("AuditSchedule: the backend audited at quiescent points, before shutdown and after")
class AuditScheduleTest {

    private static final WorkloadSettings SMALL = new WorkloadSettings(20, 4, 4, 20, 4);
    private static final GuestConfig GUEST = GuestConfig.DEFAULTS.withMemoryMib(64);
    private static final Set<String> INSPECTION = Set.of("audit", "counters", "makeEntry", "entryValue");

    private static Workload workload(String name) {
        return BuiltInWorkloads.find(name, SMALL).orElseThrow();
    }

    private enum TestRule implements ViolationRule {
        STALE;

        @Override
        public String id() {
            return "stale-on-purpose";
        }

        @Override
        public String summary() {
            return "the test backend's audit finds its frame 7 stale from the second audit on";
        }
    }

    @Test
    @DisplayName("one vCPU is audited after every n-th operation, once its stream ends, before shutdown and after shutdown")
    void auditsWhereTheScheduleSays() {
        RunReport r = new GuestRun(PagingMode.TWO_LEVEL, GUEST, workload("fork-exit")).audit(new AuditSchedule(10))
                .run(TestBackends.nativeFactory());
        long ops = r.operations();
        List<Long> during = new ArrayList<>();
        for (long n = 10; n <= ops; n += 10) {
            during.add(n);
        }
        if (ops % 10 != 0) {
            during.add(ops); // the stream's end is a quiescent point too
        }
        assertThat(r.audits().stream().filter(a -> a.point() == AuditSchedule.Point.DURING).map(RunReport.AuditRecord::operation))
                .containsExactlyElementsOf(during);
        assertThat(r.audits().subList(r.audits().size() - 2, r.audits().size())).containsExactly(
                new RunReport.AuditRecord(AuditSchedule.Point.BEFORE_SHUTDOWN, ops, 0),
                new RunReport.AuditRecord(AuditSchedule.Point.AFTER_SHUTDOWN, ops, 0));
        assertThat(r.auditsDuring()).isEqualTo(during.size());
    }

    @Test
    @DisplayName("audit.every=0 audits only at the end, before and after shutdown")
    void endOnly() {
        RunReport r = new GuestRun(PagingMode.PAE, GUEST, workload("fork-exit")).audit(AuditSchedule.END).run(TestBackends.nativeFactory());
        assertThat(r.audits()).extracting(RunReport.AuditRecord::point)
                .containsExactly(AuditSchedule.Point.BEFORE_SHUTDOWN, AuditSchedule.Point.AFTER_SHUTDOWN);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("an audit makes no hook call: one vCPU calls the same hooks, in the same order, with or without audits during the run")
    void auditsLeaveTheHookSequenceAlone(PagingMode mode) {
        List<String> withAudits = hookSequence(mode, new AuditSchedule(1));
        List<String> without = hookSequence(mode, AuditSchedule.END);
        assertThat(withAudits).hasSizeGreaterThan(1000).isEqualTo(without);
    }

    private static List<String> hookSequence(PagingMode mode, AuditSchedule schedule) {
        AtomicReference<ParavirtOps> spied = new AtomicReference<>();
        Function<ParavirtOps, ParavirtOps> spy = ops -> {
            ParavirtOps s = Mockito.spy(ops);
            spied.set(s);
            return s;
        };
        RunReport r = new GuestRun(mode, GUEST, workload("smp-mixed")).audit(schedule)
                .run(TestBackends.factory(TestBackends.nativeProvider(), PlatformRequirements.NONE, spy));
        assertThat(r.completed()).isTrue();
        assertThat(r.auditsDuring()).isEqualTo(schedule.during() ? r.operations() : 0);
        return Mockito.mockingDetails(spied.get()).getInvocations().stream()
                .filter(i -> !INSPECTION.contains(i.getMethod().getName()))
                .map(Invocation::toString).toList();
    }

    @Test
    @DisplayName("what an audit during the run finds is reported once, in the order first seen, and counted in its audit")
    void findingsDuringTheRunAreKept() {
        AtomicInteger audits = new AtomicInteger();
        Finding stale = new Finding(TestRule.STALE, 7, 0, "frame 7 is stale", "fresh", "stale");
        Function<ParavirtOps, ParavirtOps> finding = ops -> {
            ParavirtOps s = Mockito.spy(ops);
            Mockito.doAnswer(inv -> audits.incrementAndGet() >= 2 ? List.of(stale) : List.of()).when(s).audit();
            return s;
        };
        RunReport r = new GuestRun(PagingMode.TWO_LEVEL, GUEST, workload("fork-exit")).audit(new AuditSchedule(5))
                .run(TestBackends.factory(TestBackends.nativeProvider(), PlatformRequirements.NONE, finding));
        assertThat(r.findings()).containsExactly(stale);
        assertThat(r.audits().get(0).findings()).isZero();
        assertThat(r.audits().get(1)).isEqualTo(new RunReport.AuditRecord(AuditSchedule.Point.DURING, 10, 1));
        assertThat(r.audits()).hasSize(audits.get());
        assertThat(r.anythingFound()).isTrue();
    }

    @Test
    @DisplayName("on two vCPUs every audit during the run comes while both vCPUs are parked with lazy MMU mode off")
    void smpAuditsAtQuiescentPoints() {
        AtomicReference<GuestKernel> kernel = new AtomicReference<>();
        List<String> busy = new ArrayList<>();
        AtomicInteger afterOps = new AtomicInteger();
        Function<ParavirtOps, ParavirtOps> watching = ops -> {
            ParavirtOps s = Mockito.spy(ops);
            Mockito.doAnswer(inv -> {
                GuestKernel k = kernel.get();
                for (int cpu = 0; cpu < k.cpus().count(); cpu++) {
                    if (k.cpus().get(cpu).lazyMmu()) {
                        busy.add("vCPU " + cpu + " in lazy MMU mode after " + afterOps.get() + " operations");
                    }
                }
                return inv.callRealMethod();
            }).when(s).audit();
            return s;
        };
        RunReport r = new GuestRun(PagingMode.TWO_LEVEL, GUEST.withVcpus(2), workload("smp-mixed")).audit(new AuditSchedule(3))
                .observe(new RunObserver() {
                    @Override
                    public void booted(GuestKernel k) {
                        kernel.set(k);
                    }

                    @Override
                    public void afterOp(GuestKernel k, int cpu, long index, io.pvmm.guest.workload.Op op) {
                        afterOps.incrementAndGet();
                    }
                })
                .run(TestBackends.factory(TestBackends.nativeProvider(), PlatformRequirements.NONE, watching));
        assertThat(r.completed()).isTrue();
        assertThat(busy).isEmpty();
        assertThat(r.auditsDuring()).isGreaterThan(r.operations() / 6);
        assertThat(r.audits().stream().filter(a -> a.point() == AuditSchedule.Point.DURING).map(RunReport.AuditRecord::operation))
                .as("audits during the run, in the order of the operations").isSorted();
    }

    @Test
    @DisplayName("a trace on two vCPUs, whose streams wait for each other's tasks, runs to its end and is audited at the end only")
    void crossStreamTraceHasNoBarriers() throws Exception {
        StringBuilder trace = new StringBuilder("pvmm-trace 1\nspawn 1\nexec 1\n");
        for (int p = 2; p < 40; p++) {
            trace.append("fork 1 ").append(p).append("\nexec ").append(p).append("\ntouch ").append(p).append(" 0xbfffe000 w\n");
            if (p % 2 == 0) {
                trace.append("exit ").append(p).append('\n');
            }
        }
        Workload w = new TraceWorkload("t.trace", TraceReader.read("t.trace", new StringReader(trace.toString())));
        assertThat(w.crossStream()).isTrue();
        RunReport r = new GuestRun(PagingMode.TWO_LEVEL, GUEST.withVcpus(2), w).audit(new AuditSchedule(2)).run(TestBackends.nativeFactory());
        assertThat(r.failure()).isNull();
        assertThat(r.completed()).isTrue();
        assertThat(r.audits()).extracting(RunReport.AuditRecord::point)
                .containsExactly(AuditSchedule.Point.BEFORE_SHUTDOWN, AuditSchedule.Point.AFTER_SHUTDOWN);
    }

    @Test
    @DisplayName("audit.every takes 0 or a positive count of operations, and is documented with its default")
    void setting() {
        assertThat(AuditSchedule.fromSettings(Map.of())).isEqualTo(AuditSchedule.DEFAULT);
        assertThat(AuditSchedule.fromSettings(Map.of("every", "0"))).isEqualTo(AuditSchedule.END);
        assertThat(AuditSchedule.specs()).singleElement().satisfies(s -> assertThat(s.key()).isEqualTo("every"));
        assertThatThrownBy(() -> AuditSchedule.fromSettings(Map.of("every", "-1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("audit.every");
    }
}
