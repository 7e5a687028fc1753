package io.pvmm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.Workload;
import io.pvmm.guest.workload.WorkloadSettings;
import io.pvmm.tck.ReferenceBackend;
import io.pvmm.tck.RunAssertions;
import io.pvmm.tck.TranslationSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same workload and seed under every backend: the guest sees the same thing. Each backend is
 * compared page for page with bare hardware under the platform it requires (the platform decides how
 * boot spends memory, so which frames the allocator hands out); backends with the same platform are
 * compared page for page with each other; backends with different platforms map the same pages with
 * the same bits and the same sharing, up to a renaming of frames. Translations are read with the
 * independent walker, one vCPU, at fixed operation indices and at the end.
 */
@DisplayName("differential: every backend translates like every other")
class DifferentialTest {

    private static final WorkloadSettings SETTINGS = new WorkloadSettings(Sizes.of(40, 200), 12, 6, Sizes.of(40, 200), 6);
    private static final long EVERY = 97;
    private static final long SEED = 20_070_401;

    private static Workload workload() {
        return BuiltInWorkloads.find("smp-mixed", SETTINGS).orElseThrow();
    }

    private static Snapshots on(BackendFactory factory, PagingMode mode) {
        return Snapshots.take(factory, mode, GuestConfig.DEFAULTS.withSeed(SEED), workload(), EVERY);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.pvmm.it.Backends#withModes")
    @DisplayName("maps every page of every process and of the kernel where bare hardware does, under the same platform")
    void translatesLikeBareHardware(Backends.Named b) {
        Snapshots mine = on(BackendFactory.of(b.provider()), b.mode());
        Snapshots bare = on(ReferenceBackend.factory(b.provider().platform(b.mode())), b.mode());
        RunAssertions.assertClean(mine.report(), b.toString());
        assertThat(mine.snapshots().keySet()).isEqualTo(bare.snapshots().keySet());
        assertThat(mine.snapshots().size()).as("snapshots taken").isGreaterThan(5);
        for (Map.Entry<Long, TranslationSnapshot> e : bare.snapshots().entrySet()) {
            assertThat(mine.snapshots().get(e.getKey()).differencesFrom(e.getValue()))
                    .as("%s after operation %s", b, e.getKey() == Long.MAX_VALUE ? "the last" : e.getKey()).isEmpty();
        }
        assertThat(mine.report().outcomes()).isEqualTo(bare.report().outcomes());
        assertThat(mine.report().operations()).isEqualTo(bare.report().operations());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.pvmm.it.Backends#withModes")
    @DisplayName("catches skip-flush: the TLB the buggy guest leaves behind translates unlike the tables, and unlike bare hardware")
    void catchesSkipFlush(Backends.Named b) {
        // a small fork-exit (12 processes, 8 pages each, 4 alive, reaped every 4 exits) in a 64 MiB guest
        Workload forkExit = BuiltInWorkloads.find("fork-exit", new WorkloadSettings(12, 8, 4, 12, 4)).orElseThrow();
        GuestConfig config = GuestConfig.DEFAULTS.withMemoryMib(64).withSeed(SEED);
        Snapshots buggy = Snapshots.take(BackendFactory.of(b.provider()), b.mode(), config.withBugs(Set.of(GuestBug.SKIP_FLUSH)), forkExit, 1);
        Snapshots bare = Snapshots.take(ReferenceBackend.factory(b.provider().platform(b.mode())), b.mode(), config, forkExit, 1);
        List<String> differences = new ArrayList<>();
        for (Map.Entry<Long, TranslationSnapshot> e : bare.snapshots().entrySet()) {
            TranslationSnapshot mine = buggy.snapshots().get(e.getKey());
            if (mine != null) {
                differences.addAll(mine.differencesFrom(e.getValue()));
            }
        }
        assertThat(bare.snapshots().values()).as("bare hardware leaves no stale entry")
                .allSatisfy(s -> assertThat(s.staleTlbEntries()).isEmpty());
        assertThat(differences).as("%s with skip-flush", b).isNotEmpty().anySatisfy(d -> assertThat(d).startsWith("stale TLB entry"));
    }

    @TestFactory
    @DisplayName("gives the same translations and results as every other backend")
    Stream<DynamicTest> agreesWithEveryOtherBackend() {
        List<DynamicTest> tests = new ArrayList<>();
        List<BackendProvider> all = Backends.discovered();
        for (PagingMode mode : PagingMode.values()) {
            List<BackendProvider> here = all.stream().filter(p -> p.pagingModes().contains(mode)).toList();
            for (int i = 0; i < here.size(); i++) {
                for (int j = i + 1; j < here.size(); j++) {
                    BackendProvider a = here.get(i);
                    BackendProvider b = here.get(j);
                    tests.add(DynamicTest.dynamicTest(a.name() + " and " + b.name() + ", " + mode.configName(), () -> compare(a, b, mode)));
                }
            }
        }
        if (tests.isEmpty()) {
            tests.add(DynamicTest.dynamicTest("fewer than two backends", () -> assumeTrue(false,
                    "only " + all.stream().map(BackendProvider::name).toList() + " discovered: nothing to compare with")));
        }
        return tests.stream();
    }

    private static void compare(BackendProvider a, BackendProvider b, PagingMode mode) {
        Snapshots sa = on(BackendFactory.of(a), mode);
        Snapshots sb = on(BackendFactory.of(b), mode);
        String pair = a.name() + " and " + b.name() + " in " + mode.configName() + " mode";
        RunAssertions.assertClean(sa.report(), a.name());
        RunAssertions.assertClean(sb.report(), b.name());
        assertThat(sb.report().outcomes()).as("%s: outcomes", pair).isEqualTo(sa.report().outcomes());
        assertThat(sb.report().operations()).as("%s: operations", pair).isEqualTo(sa.report().operations());
        boolean samePlatform = a.platform(mode).equals(b.platform(mode));
        assertThat(sb.snapshots().keySet()).as("%s: operations after which both runs took a snapshot", pair)
                .isNotEmpty()
                .isEqualTo(sa.snapshots().keySet());
        for (Map.Entry<Long, TranslationSnapshot> e : sa.snapshots().entrySet()) {
            TranslationSnapshot other = sb.snapshots().get(e.getKey());
            List<String> differences = samePlatform ? other.differencesFrom(e.getValue())
                    : other.userDifferencesUpToFrameRenaming(e.getValue());
            assertThat(differences).as("%s (%s platforms) after operation %s", pair, samePlatform ? "same" : "different",
                    e.getKey() == Long.MAX_VALUE ? "the last" : e.getKey()).isEmpty();
        }
    }
}
