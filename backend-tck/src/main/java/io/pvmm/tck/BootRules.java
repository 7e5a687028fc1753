package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pvmm.api.PagingMode;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.Op;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Boot in every declared paging mode, the kernel's direct map, and the platform the backend requires. */
abstract class BootRules extends KitRules {

    /** A workload that forks, remaps, changes page attributes and maps vmalloc areas, kept small. */
    static final WorkloadSettings SMALL = new WorkloadSettings(24, 8, 4, 24, 4);

    BootRules(Supplier<BackendUnderTest> backend) {
        super(backend);
    }

    @TestFactory
    @DisplayName("boots in every paging mode it declares")
    Stream<DynamicTest> bootsInEveryDeclaredMode() {
        return Arrays.stream(PagingMode.values()).map(mode -> DynamicTest.dynamicTest(mode.configName(), () -> {
            assumeTrue(backend().modes().contains(mode), () -> backend().name() + " does not declare " + mode.configName()
                    + " mode; the runtime refuses to create it there (PVMM-E006)");
            List<String> problems = new ArrayList<>();
            RunReport report = backend().run(mode, KitRules.GUEST,
                    BuiltInWorkloads.find("boot", SMALL).orElseThrow(), new RunObserver() {
                        @Override
                        public void booted(GuestKernel kernel) {
                            problems.addAll(kernel.ops().audit().stream().map(Object::toString).toList());
                        }
                    });
            assertThat(problems).as("audit right after boot in %s mode", mode.configName()).isEmpty();
            RunAssertions.assertClean(report, "boot in " + mode.configName() + " mode");
            assertThat(report.bootHooks().get("allocPt") + report.bootHooks().get("allocPd"))
                    .as("boot announced the kernel's page tables").isPositive();
        }));
    }

    @Test
    @DisplayName("maps every lowmem frame at PAGE_OFFSET plus its physical address, for the kernel only")
    void mapsEveryLowmemFrameThroughTheDirectMap() {
        for (PagingMode mode : modes()) {
            List<String> problems = new ArrayList<>();
            RunReport report = backend().run(mode, KitRules.GUEST, BuiltInWorkloads.find("smp-mixed", SMALL).orElseThrow(),
                    new RunObserver() {
                        @Override
                        public void booted(GuestKernel kernel) {
                            problems.addAll(GuestInvariants.directMap(kernel));
                        }

                        @Override
                        public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
                            if (index % 64 == 0) {
                                problems.addAll(GuestInvariants.directMap(kernel));
                            }
                        }

                        @Override
                        public void finished(GuestKernel kernel) {
                            problems.addAll(GuestInvariants.directMap(kernel));
                        }
                    });
            assertThat(problems).as("direct map in %s mode", mode.configName()).isEmpty();
            RunAssertions.assertClean(report, "smp-mixed in " + mode.configName() + " mode");
        }
    }

    @Test
    @DisplayName("gets the platform it requires: PSE, PGE, reserved top and kernel pmd as stated")
    void honoursItsPlatformRequirements() {
        for (PagingMode mode : modes()) {
            assertPlatformHeld(mode, "pageattr");
        }
    }

    @Test
    @DisplayName("leaves no large page in the kernel's tables when it forbids PSE, even under change_page_attr")
    void leavesNoLargePageWithoutPse() {
        for (PagingMode mode : modesWhere(m -> !backend().platform(m).allowsPse(), "allows PSE in every declared mode")) {
            assertPlatformHeld(mode, "pageattr");
        }
    }

    @Test
    @DisplayName("leaves the top it reserves unmapped")
    void leavesTheReservedTopUnmapped() {
        for (PagingMode mode : modesWhere(m -> backend().platform(m).reservedTop() > 0, "reserves no top of the address space")) {
            assertPlatformHeld(mode, "smp-mixed");
        }
    }

    @Test
    @DisplayName("gives every PAE root its own kernel pmd when it requires one")
    void givesEveryPaeRootItsOwnKernelPmd() {
        for (PagingMode mode : modesWhere(m -> m == PagingMode.PAE && backend().platform(m).unsharedKernelPmd(),
                "does not require an unshared kernel pmd in PAE mode")) {
            assertPlatformHeld(mode, "fork-exit");
        }
    }

    private void assertPlatformHeld(PagingMode mode, String workload) {
        PlatformRequirements platform = backend().platform(mode);
        List<String> problems = new ArrayList<>();
        RunReport report = backend().run(mode, KitRules.GUEST, BuiltInWorkloads.find(workload, SMALL).orElseThrow(),
                new RunObserver() {
                    @Override
                    public void booted(GuestKernel kernel) {
                        problems.addAll(GuestInvariants.platform(kernel, platform));
                        if (!platform.allowsPse() && kernel.layout().pse()) {
                            problems.add("the guest booted with PSE, which the backend forbids");
                        }
                    }

                    @Override
                    public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
                        if (index % 32 == 0) {
                            problems.addAll(GuestInvariants.platform(kernel, platform));
                        }
                    }
                });
        assertThat(problems).as("platform %s in %s mode", platform.describe(), mode.configName()).isEmpty();
        RunAssertions.assertClean(report, workload + " in " + mode.configName() + " mode");
    }
}
