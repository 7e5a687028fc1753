package io.pvmm.guest.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.ParavirtViolation;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.api.ViolationRule;
import io.pvmm.guest.TestBackends;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.Workload;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.Mockito;

@DisplayName("GuestRun: a workload from boot to shutdown, reported")
class GuestRunTest {

    private static final WorkloadSettings SMALL = new WorkloadSettings(60, 8, 6, 60, 8);
    private static final GuestConfig GUEST = GuestConfig.DEFAULTS.withMemoryMib(128);

    private static Workload workload(String name) {
        return BuiltInWorkloads.find(name, SMALL).orElseThrow();
    }

    private static RunReport run(PagingMode mode, GuestConfig config, String workload) {
        return new GuestRun(mode, config, workload(workload)).run(TestBackends.nativeFactory());
    }

    @ParameterizedTest(name = "{0}, {1}, {2} vCPU(s)")
    @CsvSource({"TWO_LEVEL,boot,1", "TWO_LEVEL,fork-exit,1", "TWO_LEVEL,pageattr,1", "TWO_LEVEL,smp-mixed,1",
        "TWO_LEVEL,fork-exit,2", "TWO_LEVEL,smp-mixed,2", "PAE,boot,1", "PAE,fork-exit,1", "PAE,pageattr,1",
        "PAE,smp-mixed,1", "PAE,fork-exit,2", "PAE,smp-mixed,2"})
    @DisplayName("every built-in workload completes with balanced hooks and no frame leaked")
    void builtInsBalance(PagingMode mode, String name, int vcpus) {
        RunReport r = run(mode, GUEST.withVcpus(vcpus), name);
        assertThat(r.completed()).isTrue();
        assertThat(r.failure()).isNull();
        assertThat(r.bug()).isNull();
        assertThat(r.balanced()).isTrue();
        assertThat(r.noLeak()).isTrue();
        assertThat(r.problemsFound()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("on two vCPUs the report counts each vCPU's IPIs (global_flush_tlb's on_each_cpu from the page-attribute storm), and the IPIs sent, summed, are the IPIs taken")
    void ipisSentAreTaken(PagingMode mode) {
        RunReport r = run(mode, GUEST.withVcpus(2), "smp-mixed");
        long sent = r.tlb().stream().mapToLong(m -> m.get("ipis-sent")).sum();
        long received = r.tlb().stream().mapToLong(m -> m.get("ipis-received")).sum();
        assertThat(r.completed()).isTrue();
        assertThat(sent).isPositive().isEqualTo(received);
        assertThat(r.tlb().get(1).get("ipis-sent")).as("the storm runs on the last vCPU").isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("one vCPU and a seed give the same run: identical hooks and outcomes; another seed gives another run")
    void deterministic(PagingMode mode) {
        RunReport a = run(mode, GUEST.withSeed(7), "smp-mixed");
        RunReport b = run(mode, GUEST.withSeed(7), "smp-mixed");
        RunReport c = run(mode, GUEST.withSeed(8), "smp-mixed");
        assertThat(a.hooks()).isEqualTo(b.hooks());
        assertThat(a.outcomes()).isEqualTo(b.outcomes());
        assertThat(a.operations()).isEqualTo(b.operations());
        assertThat(c.hooks()).isNotEqualTo(a.hooks());
    }

    @Test
    @DisplayName("sequential fork/exit: alloc_pd_clone runs once per pgd slab object, not per fork, and every announcement is released at the end")
    void cloneOncePerSlabObject() {
        long[] grown = new long[2];
        RunReport r = new GuestRun(PagingMode.TWO_LEVEL, GUEST, workload("fork-exit")).observe(new RunObserver() {
            @Override
            public void workloadDone(GuestKernel kernel) {
                grown[0] = kernel.pgTable().pgdCache().slabsGrown();
                grown[1] = kernel.pgTable().pgdCache().slabsDestroyed();
            }
        }).run(TestBackends.nativeFactory());
        RunReport boot = run(PagingMode.TWO_LEVEL, GUEST, "boot");
        long forks = SMALL.processes(); // 2.6.21 calls no dup_mmap hook to count them by
        assertThat(r.hooks().get("dupMmap")).isZero();
        // a 2-level pgd is a page-sized object, one per slab: pgd_ctor (and its alloc_pd_clone) runs once per
        // slab the cache grew; the workload's reaps destroy wholly free slabs (pgd_dtor, release_pd), and the
        // next growth constructs again
        assertThat(r.hooks().get("allocPdClone")).as("alloc_pd_clone: one per pgd slab grown").isEqualTo(grown[0]);
        assertThat(grown[1]).as("pgd slabs the workload's reaps destroyed").isLessThanOrEqualTo(grown[0]);
        assertThat(grown[0]).as("pgd objects constructed: fewer than forks, as freed pgds are reused").isLessThan(forks);
        assertThat(r.hooks().get("allocPdClone")).isEqualTo(r.hooks().get("releasePd"));
        assertThat(r.hooks().get("allocPt") - r.hooks().get("releasePt"))
                .isEqualTo(boot.hooks().get("allocPt") - boot.hooks().get("releasePt"));
        assertThat(r.hooks().get("allocPd") - r.hooks().get("releasePd") + r.hooks().get("allocPdClone"))
                .isEqualTo(boot.hooks().get("allocPd") - boot.hooks().get("releasePd"));
    }

    @Test
    @DisplayName("in PAE mode, every pmd announced by a run is released by its end: alloc_pd - release_pd as after boot")
    void paeBalance() {
        RunReport r = run(PagingMode.PAE, GUEST, "fork-exit");
        assertThat(r.hooks().get("allocPdClone")).isZero();
        assertThat(r.hooks().get("allocPd") - r.hooks().get("releasePd")).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("allocation failures injected at seeded random points: the guest copes, balanced and without a leak")
    void faultInjection(PagingMode mode) {
        RunReport r = run(mode, GUEST.withFailAllocProbability(0.02).withSeed(3), "smp-mixed");
        assertThat(r.injected()).isPositive();
        assertThat(r.completed()).isTrue();
        assertThat(r.bug()).isNull();
        assertThat(r.balanced()).isTrue();
        assertThat(r.noLeak()).isTrue();
    }

    private enum TestRule implements ViolationRule {
        REFUSED;

        @Override
        public String id() {
            return "refused";
        }

        @Override
        public String summary() {
            return "the test backend refuses the fifth release";
        }
    }

    @Test
    @DisplayName("a violation stops the run as a BUG() would, and the report still names it, with counts up to the stop")
    void violationStops() {
        AtomicInteger releases = new AtomicInteger();
        Function<ParavirtOps, ParavirtOps> refusing = ops -> {
            ParavirtOps spy = Mockito.spy(ops);
            Mockito.doAnswer(inv -> {
                if (releases.incrementAndGet() == 5) {
                    throw new ParavirtViolation(TestRule.REFUSED, inv.getArgument(0), "refused on purpose", "nothing", "a release");
                }
                return inv.callRealMethod();
            }).when(spy).releasePt(Mockito.anyLong());
            return spy;
        };
        RunReport r = new GuestRun(PagingMode.TWO_LEVEL, GUEST, workload("fork-exit"))
                .run(TestBackends.factory(TestBackends.nativeProvider(), PlatformRequirements.NONE, refusing));
        assertThat(r.completed()).isFalse();
        assertThat(r.violations()).singleElement().satisfies(v -> assertThat(v.rule()).isEqualTo("refused"));
        assertThat(r.hooks().get("releasePt")).isEqualTo(5);
        assertThat(r.problemsFound()).isTrue();
    }

    @Test
    @DisplayName("a backend that throws anything else fails the run, and the report says what it threw")
    void otherExceptionFails() {
        Function<ParavirtOps, ParavirtOps> broken = ops -> {
            ParavirtOps spy = Mockito.spy(ops);
            Mockito.doThrow(new IllegalStateException("backend bug")).when(spy).dupMmap(Mockito.anyLong(), Mockito.anyLong());
            return spy;
        };
        RunReport r = new GuestRun(PagingMode.PAE, GUEST.withKernel(KernelVersion.V2_6_23), workload("fork-exit"))
                .run(TestBackends.factory(TestBackends.nativeProvider(), PlatformRequirements.NONE, broken));
        assertThat(r.completed()).isFalse();
        assertThat(r.failure()).contains("IllegalStateException: backend bug");
        assertThat(r.violations()).isEmpty();
    }

    @Test
    @DisplayName("an observer sees every operation of a one-vCPU run, at quiescent points")
    void observerSeesEveryOp() {
        AtomicInteger seen = new AtomicInteger();
        RunReport r = new GuestRun(PagingMode.TWO_LEVEL, GUEST, workload("pageattr")).observe(new RunObserver() {
            @Override
            public void afterOp(io.pvmm.guest.kernel.GuestKernel kernel, int cpu, long index, io.pvmm.guest.workload.Op op) {
                assertThat(kernel.cpus().current().lazyMmu()).isFalse();
                seen.incrementAndGet();
            }
        }).run(TestBackends.nativeFactory());
        assertThat(seen.get()).isEqualTo(r.operations());
    }
}
