package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendProvider;
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
}
