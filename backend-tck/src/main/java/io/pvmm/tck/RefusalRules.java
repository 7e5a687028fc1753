package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtViolation;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

/**
 * The backend's own rules, each declared as a {@link Refusal}: the kit drives the action that breaks
 * the rule and checks that the rule fires, and runs correct guests on every declared mode and checks
 * that it never fires there.
 */
final class RefusalRules {

    /** The correct guests a rule must never fire on: two vCPUs of mixed work, and page attributes changed and reverted. */
    private static final List<String> CORRECT_WORKLOADS = List.of("smp-mixed", "pageattr", "fork-exit");

    private RefusalRules() {
    }

    /**
     * The tests of every declared refusal: for each, two tests named after its rule.
     *
     * @param backend makes the backend under test of one test
     * @return the tests; one skipped test when the backend declares none
     */
    static Stream<DynamicNode> tests(Supplier<BackendUnderTest> backend) {
        BackendUnderTest described = backend.get();
        List<Refusal> refusals = described.refusals();
        if (refusals.isEmpty()) {
            return Stream.of(DynamicTest.dynamicTest("declares each rule it enforces with an action that breaks it", () ->
                    assumeTrue(false, () -> described.name() + " declares no refusals(): declare each rule it enforces with "
                            + "the guest bug or call that breaks it, and the kit checks that the rule fires then and never on a correct guest")));
        }
        return refusals.stream().flatMap(r -> Stream.of(
                DynamicTest.dynamicTest(r.ruleId() + " fires when " + r.action(), () -> fires(backend.get(), r)),
                DynamicTest.dynamicTest(r.ruleId() + " never fires on a correct guest", () -> neverFiresOnACorrectGuest(backend.get(), r))));
    }

    private static List<PagingMode> modes(BackendUnderTest backend, Refusal refusal) {
        List<PagingMode> modes = backend.modes().stream().filter(refusal.modes()::contains).toList();
        assumeTrue(!modes.isEmpty(), () -> backend.name() + " declares none of the modes " + refusal + " is driven in");
        return modes;
    }

    static void fires(BackendUnderTest backend, Refusal refusal) {
        for (PagingMode mode : modes(backend, refusal)) {
            String where = refusal + ", in " + mode.configName() + " mode";
            if (refusal.call().isPresent()) {
                BackendUnderTest.Booted booted = backend.boot(mode, KitRules.GUEST);
                ParavirtViolation v = catchThrowableOfType(() -> refusal.call().get().accept(booted), ParavirtViolation.class);
                assertThat(v).as("%s: the call throws a ParavirtViolation", where).isNotNull();
                assertThat(v.ruleId()).as("%s: the violation's rule", where).isEqualTo(refusal.ruleId());
                ViolationRules.assertWellFormed(v, v.pfn(), where);
                assertThat(booted.ops().audit()).as("%s: audit after the refused call: the refusal changed nothing", where).isEmpty();
            } else {
                Workload workload = refusal.workload().orElseThrow();
                RunReport report = new GuestRun(mode, KitRules.GUEST.withBugs(Set.of(refusal.bug().orElseThrow()))
                        .withVcpus(refusal.vcpus()), workload).run(backend.factory());
                assertThat(rulesFired(report)).as("%s on %s: the rules that fired (violations, then audit findings)", where, workload.name())
                        .contains(refusal.ruleId());
            }
        }
    }

    static void neverFiresOnACorrectGuest(BackendUnderTest backend, Refusal refusal) {
        for (PagingMode mode : backend.modes()) {
            for (String name : CORRECT_WORKLOADS) {
                Workload workload = BuiltInWorkloads.find(name, BootRules.SMALL).orElseThrow();
                RunReport report = backend.run(mode, KitRules.GUEST.withVcpus(name.startsWith("smp") ? 2 : 1), workload, RunObserver.NONE);
                assertThat(rulesFired(report)).as("%s: rules that fired on the correct guest %s in %s mode", refusal.ruleId(), name, mode.configName())
                        .doesNotContain(refusal.ruleId());
            }
        }
    }

    private static List<String> rulesFired(RunReport report) {
        List<String> ids = new ArrayList<>(report.violations().stream().map(RunReport.ViolationRecord::rule).toList());
        ids.addAll(report.findings().stream().map(Finding::ruleId).toList());
        return ids;
    }
}
