package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.run.AuditSchedule;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunReport;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

/**
 * The backend's audit finds what it says it finds: for each {@link AuditedBug} a backend with
 * {@link Behavior#AUDIT_FINDS_GUEST_BUGS} declares, the kit runs the bug's guest, audited at quiescent
 * points as every run is ({@link AuditSchedule#DEFAULT}), and expects the declared rule among the
 * findings of an audit taken while the workload ran. Every other rule of the kit expects an empty
 * audit, which an {@code audit()} that returns nothing always gives; this group is what an empty audit
 * fails.
 */
final class AuditRules {

    /** The name of the one test of a backend that declares no audit, or no bug for it. */
    static final String DECLARED = "finds, during the run, a guest bug it declares";

    private AuditRules() {
    }

    /**
     * The tests of every declared audited bug, one each; one skipped test, saying why, when the backend
     * declares no audit.
     *
     * @param backend makes the backend under test of one test
     * @return the tests
     */
    static Stream<DynamicNode> tests(Supplier<BackendUnderTest> backend) {
        BackendUnderTest described = backend.get();
        List<AuditedBug> bugs = described.auditedBugs();
        if (!described.has(Behavior.AUDIT_FINDS_GUEST_BUGS)) {
            return Stream.of(DynamicTest.dynamicTest(DECLARED, () -> {
                assertThat(bugs).as("%s declares audited bugs without Behavior.AUDIT_FINDS_GUEST_BUGS", described.name()).isEmpty();
                assumeTrue(false, () -> described.name() + " declares no audit (Behavior.AUDIT_FINDS_GUEST_BUGS): nothing shows"
                        + " its audit() can find anything, so the rules that expect an empty audit prove nothing about it;"
                        + " declare the behaviour and the guest bugs its audit finds (auditedBugs())");
            }));
        }
        if (bugs.isEmpty()) {
            return Stream.of(DynamicTest.dynamicTest(DECLARED, () -> Assertions.fail(described.name()
                    + " declares Behavior.AUDIT_FINDS_GUEST_BUGS and no auditedBugs(): declare a guest bug its audit finds,"
                    + " with the rule its finding names")));
        }
        return bugs.stream().map(b -> DynamicTest.dynamicTest(b.ruleId() + " is found by the audit during the run when " + b.action(),
                () -> finds(backend.get(), b)));
    }

    static void finds(BackendUnderTest backend, AuditedBug bug) {
        List<PagingMode> modes = backend.modes().stream().filter(bug.modes()::contains).toList();
        assumeTrue(!modes.isEmpty(), () -> backend.name() + " declares none of the modes " + bug + " is driven in");
        for (PagingMode mode : modes) {
            String where = bug + ", in " + mode.configName() + " mode, on " + bug.workload().name();
            RunReport report = new GuestRun(mode, KitRules.GUEST.withBugs(Set.of(bug.bug())), bug.workload())
                    .audit(AuditSchedule.DEFAULT).run(backend.factory());
            assertThat(report.violations()).as("%s: calls refused (the audit, not a refusal, is to find the bug)", where).isEmpty();
            assertThat(report.auditsDuring()).as("%s: audits at quiescent points during the run", where).isPositive();
            List<RunReport.AuditRecord> findingDuring = report.audits().stream()
                    .filter(a -> a.point() == AuditSchedule.Point.DURING && a.findings() > 0).toList();
            assertThat(findingDuring).as("%s: audits during the run that found something, of %s", where, report.audits()).isNotEmpty();
            List<Finding> found = report.findings().stream().filter(f -> f.ruleId().equals(bug.ruleId())).toList();
            assertThat(found).as("%s: findings of the declared rule, of %s", where, report.findings()).isNotEmpty();
            for (Finding f : found) {
                assertThat(f.message()).as("%s: the finding says what is wrong: %s", where, f).isNotBlank();
                assertThat(f.expected()).as("%s: the finding says what the rule expects: %s", where, f).isNotBlank();
                assertThat(f.found()).as("%s: the finding says what the audit found: %s", where, f).isNotBlank();
            }
        }
    }
}
