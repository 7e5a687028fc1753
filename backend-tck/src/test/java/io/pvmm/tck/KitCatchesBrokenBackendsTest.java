package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.BackendProvider;
import io.pvmm.guest.bugs.GuestBug;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The kit fails a backend that breaks a rule, in the test named after that rule. */
class KitCatchesBrokenBackendsTest {

    private static List<KitLauncher.Result> run(BackendProvider provider, Predicate<Behavior> behaviors) {
        return KitLauncher.run(new BackendUnderTest(provider, Map.of(), behaviors));
    }

    private static List<KitLauncher.Result> run(BackendProvider provider) {
        return run(provider, Behavior::byDefault);
    }

    /** The names of the failed tests; the assertion on them shows every failure's detail when it fails. */
    private static org.assertj.core.api.ListAssert<String> assertFailed(List<KitLauncher.Result> results) {
        List<KitLauncher.Result> failures = results.stream().filter(r -> r.status() == KitLauncher.Status.FAILED).toList();
        return assertThat(failures.stream().map(KitLauncher.Result::test).toList())
                .as("failed tests, with their details:%n%s", failures.stream().map(r -> r.test() + ": " + r.detail())
                        .collect(Collectors.joining(System.lineSeparator())));
    }

    @Test
    @DisplayName("the reference backend passes every test that applies, and the others are skipped with a reason")
    void referencePasses() {
        List<KitLauncher.Result> results = run(new ReferenceProvider());
        assertFailed(results).isEmpty();
        assertThat(results).filteredOn(r -> r.status() == KitLauncher.Status.PASSED).hasSizeGreaterThan(35);
        assertThat(results).filteredOn(r -> r.status() == KitLauncher.Status.SKIPPED).allMatch(r -> !r.detail().isBlank());
        assertThat(results.stream().map(KitLauncher.Result::test).collect(Collectors.toSet()))
                .contains("the provider › has a stable lower-case name: a letter, then letters, digits and dashes");
    }

    @Test
    @DisplayName("writes forgotten in lazy MMU mode fail the lazy-mode rules")
    void catchesForgottenLazyWrites() {
        assertFailed(run(new BrokenBackends.ForgetsLazyWrites()))
                .contains("lazy MMU mode › writes batched during fork's copy have taken effect when fork returns",
                        "lazy MMU mode › writes batched during mprotect have taken effect when mprotect returns");
    }

    @Test
    @DisplayName("ignored set_pte_atomic calls fail the change_page_attr rules")
    void catchesIgnoredAtomicWrites() {
        assertFailed(run(new BrokenBackends.IgnoresAtomicWrites()))
                .contains("change_page_attr › splitting a large page keeps the direct map and uncaches exactly the page asked for, in every root");
    }

    @Test
    @DisplayName("bad counters fail the counter rules, each the one it breaks")
    void catchesBadCounters() {
        assertFailed(run(new BrokenBackends.NegativeCounter()))
                .containsExactly("hooks, audit and counters › reports counters that are never negative");
        assertFailed(run(new BrokenBackends.UpperCaseCounter()))
                .containsExactly("hooks, audit and counters › names its counters in lower case: words joined by dots or dashes");
        assertFailed(run(new BrokenBackends.GrowingCounters()))
                .containsExactly("hooks, audit and counters › reports the same counter names in the same order on every call");
    }

    @Test
    @DisplayName("a name the runtime cannot select fails the naming rule")
    void catchesABadName() {
        assertFailed(run(new BrokenBackends.BadName()))
                .containsExactly("the provider › has a stable lower-case name: a letter, then letters, digits and dashes");
    }

    @Test
    @DisplayName("a refusal that is not declared, or declared and not made, fails the violation rules")
    void catchesUntruthfulBehaviours() {
        assertFailed(run(new BrokenBackends.RefusesDoubleAnnouncement()))
                .containsExactly("violations › accepts what it does not declare that it refuses");
        assertFailed(run(new ReferenceProvider(), b -> b == Behavior.REJECTS_DOUBLE_ANNOUNCE))
                .containsExactly("violations › refuses to announce a page table twice, with a violation that names its rule");
    }

    @Test
    @DisplayName("a refusal that changes the guest's memory first fails the violation rule, though its audit is empty")
    void catchesARefusalThatChangedState() {
        assertFailed(run(new BrokenBackends.RefusesAfterChangingTheTable(), b -> b == Behavior.REJECTS_DOUBLE_ANNOUNCE))
                .containsExactly("violations › refuses to announce a page table twice, with a violation that names its rule");
    }

    @Test
    @DisplayName("an audit finding fails the audit rules")
    void catchesAuditFindings() {
        assertFailed(run(new BrokenBackends.AuditsAfterRelease()))
                .contains("hooks, audit and counters › has an empty audit after each of the first operations of a run on one vCPU, and after every fourth one",
                        "hooks, audit and counters › matches every alloc hook with a release and gives every frame back once the processes exit");
    }

    @Test
    @DisplayName("entries the guest cannot read back fail the entry rule")
    void catchesOneWayEntries() {
        assertFailed(run(new BrokenBackends.OneWayEntries()))
                .contains("entries › turns every present entry the guest makes back into the same entry: entryValue(makeEntry(e)) == e");
    }

    @Test
    @DisplayName("an audit that always returns nothing fails the audit rule when the backend declares that its audit finds a guest bug")
    void catchesAnAuditThatFindsNothing() {
        List<AuditedBug> skipRelease = List.of(AuditedBug.of(GuestBug.SKIP_RELEASE_PT, "release-of-free-frame"));
        String test = "your audit › release-of-free-frame is found by the audit during the run when the guest bug skip-release-pt ("
                + GuestBug.SKIP_RELEASE_PT.what() + ")";
        assertFailed(KitLauncher.run(new BackendUnderTest(new BrokenBackends.AuditFindsNothing(), Map.of(),
                b -> b == Behavior.AUDIT_FINDS_GUEST_BUGS).withAuditedBugs(skipRelease)))
                .containsExactly(test);

        List<KitLauncher.Result> honest = KitLauncher.run(new BackendUnderTest(new NaiveRules.ChecksTheFreePoolInItsAuditOnly(), Map.of(),
                b -> b == Behavior.AUDIT_FINDS_GUEST_BUGS).withAuditedBugs(skipRelease));
        assertFailed(honest).isEmpty();
        assertThat(honest).filteredOn(r -> r.test().startsWith("your audit › ")).extracting(KitLauncher.Result::test, KitLauncher.Result::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(test, KitLauncher.Status.PASSED));
    }

    @Test
    @DisplayName("the audit behaviour declared with no guest bug fails; audited bugs without the behaviour fail; no audit declared is a skip that says so")
    void reportsUndeclaredAudits() {
        assertFailed(run(new NaiveRules.ChecksTheFreePoolInItsAuditOnly(), b -> b == Behavior.AUDIT_FINDS_GUEST_BUGS))
                .containsExactly("your audit › " + AuditRules.DECLARED);
        assertFailed(KitLauncher.run(new BackendUnderTest(new NaiveRules.ChecksTheFreePoolInItsAuditOnly(), Map.of(), Behavior::byDefault)
                .withAuditedBugs(List.of(AuditedBug.of(GuestBug.SKIP_RELEASE_PT, "release-of-free-frame")))))
                .containsExactly("your audit › " + AuditRules.DECLARED);
        assertThat(run(new ReferenceProvider())).filteredOn(r -> r.test().startsWith("your audit › "))
                .singleElement().satisfies(r -> {
                    assertThat(r.test()).isEqualTo("your audit › " + AuditRules.DECLARED);
                    assertThat(r.status()).isEqualTo(KitLauncher.Status.SKIPPED);
                    assertThat(r.detail()).startsWith("Assumption failed: reference declares no audit (Behavior.AUDIT_FINDS_GUEST_BUGS)");
                });
    }

    // ---- the traps of docs/writing-a-backend.md, "Rules that break correct guests" ---------------

    @Test
    @DisplayName("a rule that refuses to release a kernel table its pmd still links fails change_page_attr's revert")
    void catchesARuleAgainstTheRevertsRelease() {
        assertFailed(run(new NaiveRules.RefusesReleaseOfLinkedKernelTable()))
                .contains("change_page_attr › reverting a split page restores the large page in every root and frees the table after the flush");
    }

    @Test
    @DisplayName("a rule that refuses to release a PAE pmd its root still links fails every exit")
    void catchesARuleAgainstPgdFreesReleases() {
        assertFailed(run(new NaiveRules.RefusesReleaseOfPmdLinkedFromRoot()))
                .contains("processes › exit tears every address space down and gives every frame back");
    }

    @Test
    @DisplayName("a PAE root entry's slot taken from its offset in the page fails fork, as roots are 32-byte objects")
    void catchesASlotFromThePageOffset() {
        assertFailed(run(new NaiveRules.DerivesPdptSlotFromPageOffset()))
                .contains("processes › fork gives the child the parent's pages, write-protected in both for copy-on-write");
    }

    @Test
    @DisplayName("a PAE root entry's slot taken with PagingMode.pgdIndexOfEntry passes the kit")
    void passesASlotFromTheHelper() {
        assertFailed(run(new NaiveRules.ChecksTheKernelSlotWithTheHelper())).isEmpty();
        assertThat(io.pvmm.api.PagingMode.PAE.pgdIndexOfEntry(0x5000 + 5 * 32 + 3 * 8)).isEqualTo(3);
        assertThat(io.pvmm.api.PagingMode.PAE.pgdOfEntry(0x5000 + 5 * 32 + 3 * 8)).isEqualTo(0x5000 + 5 * 32);
        assertThat(io.pvmm.api.PagingMode.TWO_LEVEL.pgdIndexOfEntry(0x5000 + 768 * 4)).isEqualTo(768);
    }

    @Test
    @DisplayName("ptes counted from the write hooks fail exit, whose teardown clears ptes with no hook")
    void catchesPtesCountedFromHooks() {
        assertFailed(run(new NaiveRules.CountsPtesFromHooks()))
                .contains("processes › exit tears every address space down and gives every frame back");
    }

    @Test
    @DisplayName("a free-pool rule checked in the audit only misses free-before-release; checked with isFree in the release hook it fires")
    void catchesAFreePoolRuleCheckedTooLate() {
        List<Refusal> refusal = List.of(Refusal.whenGuest(GuestBug.FREE_BEFORE_RELEASE, "release-of-free-frame"));
        assertFailed(KitLauncher.run(new BackendUnderTest(new NaiveRules.ChecksTheFreePoolInItsAuditOnly(), Map.of(), Behavior::byDefault)
                .withRefusals(refusal)))
                .containsExactly("your refusals › release-of-free-frame fires when the guest bug free-before-release "
                        + "(" + GuestBug.FREE_BEFORE_RELEASE.what() + ")");
        assertFailed(KitLauncher.run(new BackendUnderTest(new NaiveRules.ChecksTheFreePoolInTheReleaseHook(), Map.of(),
                b -> b == Behavior.REJECTS_RELEASE_OF_UNANNOUNCED_FRAME).withRefusals(refusal))).isEmpty();
    }

    // ---- refusals the author declares --------------------------------------------------------------

    @Test
    @DisplayName("a declared refusal is driven: its rule must fire on its action, under its own id, and never on a correct guest")
    void drivesDeclaredRefusals() {
        BackendUnderTest honest = new BackendUnderTest(new NaiveRules.ChecksTheFreePoolInTheReleaseHook(), Map.of(),
                b -> b == Behavior.REJECTS_RELEASE_OF_UNANNOUNCED_FRAME).withRefusals(List.of(
                Refusal.whenCalled("releasePt of a free frame", b -> b.ops().releasePt(b.freeFrame()), "release-of-free-frame")));
        List<KitLauncher.Result> results = KitLauncher.run(honest);
        assertFailed(results).isEmpty();
        assertThat(results).filteredOn(r -> r.test().startsWith("your refusals › release-of-free-frame "))
                .extracting(KitLauncher.Result::status).containsExactly(KitLauncher.Status.PASSED, KitLauncher.Status.PASSED);

        assertFailed(KitLauncher.run(honest.withRefusals(List.of(
                Refusal.whenCalled("releasePt of a free frame", b -> b.ops().releasePt(b.freeFrame()), "some-other-rule")))))
                .containsExactly("your refusals › some-other-rule fires when releasePt of a free frame");

        assertFailed(KitLauncher.run(new BackendUnderTest(new NaiveRules.RefusesReleaseOfLinkedKernelTable(), Map.of(), Behavior::byDefault)
                .withRefusals(List.of(Refusal.whenCalled("releasePt of a linked kernel table",
                        b -> b.ops().releasePt(b.kernelPteTable()), "release-of-linked-table")))))
                .contains("your refusals › release-of-linked-table never fires on a correct guest")
                .doesNotContain("your refusals › release-of-linked-table fires when releasePt of a linked kernel table");
    }

    // ---- how a kit run is reported -----------------------------------------------------------------

    /** Has no test at all, as the kit looks to JUnit when its engine is missing. */
    static final class NoTests {
    }

    @Test
    @DisplayName("a kit run that executes no test fails, saying why")
    void aRunWithNoTestFails() {
        assertThatThrownBy(() -> KitLauncher.run(new BackendUnderTest(new ReferenceProvider(), Map.of(), Behavior::byDefault), NoTests.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the kit ran no test on reference")
                .hasMessageContaining("junit-jupiter-engine");
    }

    @Test
    @DisplayName("every kit test is filed under the backend's own test class, and each skip is told with its reason")
    void reportsUnderTheBackendsClass() {
        List<String> skipped = new java.util.ArrayList<>();
        org.junit.platform.launcher.Launcher launcher = org.junit.platform.launcher.core.LauncherFactory.create();
        org.junit.platform.launcher.LauncherDiscoveryRequest request = org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder
                .request().selectors(org.junit.platform.engine.discovery.DiscoverySelectors.selectClass(ReferenceBackendTest.class)).build();
        org.junit.platform.launcher.TestPlan plan = launcher.discover(request);
        List<String> classes = plan.getRoots().stream().flatMap(r -> plan.getDescendants(r).stream())
                .flatMap(t -> t.getSource().stream())
                .map(s -> s instanceof org.junit.platform.engine.support.descriptor.MethodSource m ? m.getClassName()
                        : s instanceof org.junit.platform.engine.support.descriptor.ClassSource c ? c.getClassName() : "")
                .distinct().toList();
        assertThat(classes).containsExactly(ReferenceBackendTest.class.getName());

        ReferenceBackendTest.skips = skipped;
        try {
            launcher.execute(request);
        } finally {
            ReferenceBackendTest.skips = null;
        }
        assertThat(skipped).isNotEmpty().allMatch(s -> s.contains(": reference "))
                .contains("violations › refuses to announce a page table twice, with a violation that names its rule: "
                        + "Assumption failed: reference does not declare Behavior.REJECTS_DOUBLE_ANNOUNCE");
    }
}
