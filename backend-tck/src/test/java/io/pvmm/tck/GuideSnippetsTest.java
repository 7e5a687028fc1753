package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendContext;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.Workload;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The snippets of docs/writing-a-backend.md, section 13 ("The API you test with"), as they are printed
 * there, each with what the guide says it gives; and the facts the guide states about the hooks that a
 * reader could doubt.
 */
@DisplayName("docs/writing-a-backend.md's snippets")
class GuideSnippetsTest {

    @Test
    @DisplayName("GuestRun and BackendFactory: a workload on the real guest model, on a provider you hold")
    void guestRun() {
        // --- snippet: guest-run
        Workload workload = BuiltInWorkloads.find("fork-exit", new WorkloadSettings(12, 8, 4, 12, 4)).orElseThrow();
        RunReport report = new GuestRun(PagingMode.PAE, GuestConfig.DEFAULTS.withVcpus(2), workload)
                .run(BackendFactory.of(new ReferenceProvider(), Map.of()));
        // report.violations(), report.findings(), report.hooks(), report.counters(), report.balanced()
        // --- end
        assertThat(report.completed()).isTrue();
        assertThat(report.violations()).isEmpty();
        assertThat(report.balanced()).isTrue();
        assertThat(report.hooks()).containsKeys("allocPt", "releasePt");
    }

    @Test
    @DisplayName("GuestConfig.withBugs: the same run with one of the model's guest bugs, which a checking backend reports")
    void withBugs() {
        Workload workload = BuiltInWorkloads.find("fork-exit", new WorkloadSettings(12, 8, 4, 12, 4)).orElseThrow();
        // --- snippet: with-bugs
        RunReport buggy = new GuestRun(PagingMode.TWO_LEVEL, GuestConfig.DEFAULTS.withBugs(Set.of(GuestBug.FREE_BEFORE_RELEASE)), workload)
                .run(BackendFactory.of(new NaiveRules.ChecksTheFreePoolInTheReleaseHook()));
        List<String> rules = buggy.violations().stream().map(RunReport.ViolationRecord::rule).toList();
        // --- end
        assertThat(rules).containsExactly("release-of-free-frame");
        assertThat(buggy.completed()).as("a violation stops the run").isFalse();
    }

    @Test
    @DisplayName("KitLauncher.run: the whole kit on a provider chosen at run time, every result returned")
    void kitLauncher() {
        // --- snippet: kit-launcher
        BackendUnderTest backend = new BackendUnderTest(new ReferenceProvider(), Map.of(), Behavior::byDefault);
        for (KitLauncher.Result r : KitLauncher.run(backend)) {
            if (r.status() == KitLauncher.Status.FAILED) {
                System.out.println("FAILED " + r.test() + ": " + r.detail());
            }
        }
        // --- end
        assertThat(KitLauncher.run(backend)).extracting(KitLauncher.Result::status).doesNotContain(KitLauncher.Status.FAILED)
                .contains(KitLauncher.Status.PASSED);
    }

    @Test
    @DisplayName("the guide's pom pins every plugin, at the versions pvmm itself builds with")
    void guidesPomPinsThePluginsOfThisBuild() throws java.io.IOException {
        java.nio.file.Path root = java.nio.file.Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
        String guide = java.nio.file.Files.readString(root.resolve("docs/writing-a-backend.md"));
        String pom = guide.substring(guide.indexOf("**The pom, if you write your own.**"));
        pom = pom.substring(pom.indexOf("```xml"), pom.indexOf("</project>"));
        String parent = java.nio.file.Files.readString(root.resolve("pom.xml"));
        java.util.regex.Matcher plugin = java.util.regex.Pattern
                .compile("<artifactId>maven-([a-z]+)-plugin</artifactId><version>([^<]+)</version>").matcher(pom);
        List<String> pinned = new ArrayList<>();
        while (plugin.find()) {
            pinned.add(plugin.group(1));
            String property = plugin.group(1).equals("surefire") ? "surefire.version" : plugin.group(1) + "-plugin.version";
            assertThat(parent).as("maven-%s-plugin's version", plugin.group(1)).contains("<" + property + ">" + plugin.group(2) + "</");
        }
        assertThat(pinned).containsExactlyInAnyOrder("clean", "resources", "jar", "install", "deploy", "site", "compiler", "surefire");
        java.util.regex.Matcher junit = java.util.regex.Pattern.compile("<artifactId>junit-bom</artifactId><version>([^<]+)<").matcher(pom);
        assertThat(junit.find()).isTrue();
        assertThat(parent).contains("<junit.version>" + junit.group(1) + "</junit.version>");
        assertThat(pom).contains("<maven.compiler.release>17</maven.compiler.release>", "<failIfNoTests>true</failIfNoTests>");
    }

    @Test
    @DisplayName("in two-level mode allocPd announces swapper_pg_dir while it is still empty: boot maps the kernel after the call")
    void twoLevelAllocPdAnnouncesAnEmptyPage() {
        List<Long> presentAtAnnouncement = new ArrayList<>();
        new GuestRun(PagingMode.TWO_LEVEL, GuestConfig.DEFAULTS.withMemoryMib(16),
                BuiltInWorkloads.find("boot", WorkloadSettings.DEFAULTS).orElseThrow()).run(new BackendFactory() {
                    @Override
                    public String name() {
                        return "watching";
                    }

                    @Override
                    public io.pvmm.api.PlatformRequirements platform(PagingMode mode) {
                        return io.pvmm.api.PlatformRequirements.NONE;
                    }

                    @Override
                    public io.pvmm.api.BackendSettings settings() {
                        return io.pvmm.api.BackendSettings.defaults(List.of());
                    }

                    @Override
                    public ParavirtOps create(BackendContext context) {
                        GuestMemory memory = context.memory();
                        return new BrokenBackends.Forwarding(context) {
                            @Override
                            public void allocPd(long pfn) {
                                long present = 0;
                                for (int i = 0; i < context.mode().ptrsPerPgd(); i++) {
                                    present += io.pvmm.api.EntryBits.isPresent(memory.readEntry(pfn, i)) ? 1 : 0;
                                }
                                presentAtAnnouncement.add(present);
                                ref.allocPd(pfn);
                            }
                        };
                    }
                });
        assertThat(presentAtAnnouncement).as("present entries of each root announced with allocPd").containsExactly(0L);
    }
}
