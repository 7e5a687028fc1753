package io.pvmm.guest.bugs;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.TestBackends;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.WorkloadSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("Guest bugs are named sites: one line each in a kernel function, reached by a workload")
class BugSitesTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);
    private static final Path MAIN = Path.of("src/main/java");
    private static final Pattern SITE = Pattern.compile("\\bGuestBug\\.([A-Z][A-Z_]+)\\b");

    /** What one bug's sites did in a fork-exit run in each mode, on native. */
    private static BugSites runWorkload(GuestBug bug, PagingMode mode) {
        GuestKernel[] kernel = new GuestKernel[1];
        new GuestRun(mode, SMALL.withBugs(Set.of(bug)),
                BuiltInWorkloads.find("fork-exit", new WorkloadSettings(30, 4, 4, 10, 4)).orElseThrow())
                .observe(new RunObserver() {
                    @Override
                    public void booted(GuestKernel k) {
                        kernel[0] = k;
                    }
                })
                .run(TestBackends.nativeFactory());
        return kernel[0].bugSites();
    }

    /** The bug constants named in the model's main code outside this package, one entry per mention. */
    private static List<String> mentionsInKernelCode() {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.startsWith(MAIN.resolve("io/pvmm/guest/bugs"))).toList()) {
                Matcher m = SITE.matcher(Files.readString(f));
                while (m.find()) {
                    found.add(m.group(1) + " in " + MAIN.relativize(f));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(GuestBug.class)
    @DisplayName("each bug has exactly one site, and the fork-exit workload reaches it")
    void oneReachedSite(GuestBug bug) {
        long hits = 0;
        Set<String> sites = new TreeSet<>();
        for (PagingMode mode : PagingMode.values()) {
            BugSites run = runWorkload(bug, mode);
            hits += run.hits(bug);
            sites.addAll(run.sitesOf(bug));
            for (GuestBug other : GuestBug.values()) {
                if (other != bug) {
                    assertThat(run.hits(other)).as("%s's site, in a guest without it", other).isZero();
                }
            }
        }
        assertThat(hits).as("hits of %s's site", bug).isPositive();
        assertThat(sites).as("where %s was committed", bug).hasSize(1);
        String site = sites.iterator().next();
        String file = site.substring(0, site.lastIndexOf('.')).replace('.', '/') + ".java";
        assertThat(mentionsInKernelCode().stream().filter(m -> m.startsWith(bug.name() + " in ")))
                .as("mentions of %s in the kernel code", bug).containsExactly(bug.name() + " in " + file);
    }

    @Test
    @DisplayName("a guest without bugs commits none at any site, and counts nothing")
    void offCostsNothing() {
        BugSites none = new BugSites(Set.of());
        for (GuestBug bug : GuestBug.values()) {
            assertThat(none.commits(bug)).isFalse();
            assertThat(none.hits(bug)).isZero();
            assertThat(none.sitesOf(bug)).isEmpty();
        }
        assertThat(none.bugs()).isEmpty();
    }

    @Test
    @DisplayName("a bug that is on is committed at its site, each hit counted, the calling method recorded")
    void onCountsAndRecords() {
        BugSites sites = new BugSites(Set.of(GuestBug.LEAK_PGD));
        assertThat(sites.commits(GuestBug.LEAK_PGD)).isTrue();
        assertThat(sites.commits(GuestBug.LEAK_PGD)).isTrue();
        assertThat(sites.commits(GuestBug.SKIP_FLUSH)).isFalse();
        assertThat(sites.hits(GuestBug.LEAK_PGD)).isEqualTo(2);
        assertThat(sites.sitesOf(GuestBug.LEAK_PGD)).containsExactly(BugSitesTest.class.getName() + ".onCountsAndRecords");
        assertThat(sites.bugs()).containsExactly(GuestBug.LEAK_PGD);
        assertThat(sites.isOn(GuestBug.SKIP_FLUSH)).isFalse();
    }

    @Test
    @DisplayName("the kernel code names no bug except at its site: no setting read, no second branch")
    void noOtherMentions() {
        assertThat(mentionsInKernelCode()).hasSize(GuestBug.values().length);
    }
}
