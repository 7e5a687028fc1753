package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

@DisplayName("pvmm compare")
class CompareCommandTest {

    /** Small built-in workloads, so every test runs in well under a second. */
    private static final String[] SMALL = {"--set", "workload.processes=12", "--set", "workload.iterations=6", "--sample-every", "10"};

    @TempDir
    Path dir;

    private CliRunner cli() {
        return new CliRunner(dir);
    }

    private CliRunner.Result compare(String... args) {
        return cli().run(Stream.concat(Stream.of("compare"), Stream.concat(Stream.of(SMALL), Stream.of(args))).toArray(String[]::new));
    }

    @Test
    @DisplayName("native alone: a table of hook calls, counters, frames, time and checks, its translations the reference")
    void nativeAlone() {
        CliRunner.Result r = compare("--backends", "native", "--workload", "fork-exit");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("fork-exit, two-level mode, seed 1, 1 vCPU\n")
                .containsPattern("\nhook calls\n  allocPt +\\d+\n")
                .containsPattern("\n  kernel +2\\.6\\.21\n")
                .doesNotContain("dupMmap") // 2.6.21, native's default, has no dup_mmap hook: no row
                .contains("\npage tables\n  frames after boot", "\nchecks\n  violations")
                .containsPattern("  hooks balanced +yes\n")
                .containsPattern("  translations +reference\n");
    }

    @Test
    @DisplayName("backends whose tables differ in shape (native's large pages, fixture's 4 KiB pages and moved fixmap) agree on translations")
    void translationsAgreeAcrossStructures() {
        CliRunner.Result r = compare("--backends", "all", "--workload", "smp-mixed");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).containsPattern("\n +native +fixture( +[a-z-]+)*\n")
                .containsPattern("  translations +reference( +AGREED)+\n")
                .containsPattern("backend counters\n(.*\n)*  fixture-stores +\\d+ *\n");
        assertThat(r.out().lines().filter(l -> l.startsWith("  setPte ")).findFirst().orElseThrow())
                .as("no PSE: the fixture's boot writes 4 KiB ptes that native's large pages spare")
                .matches("  setPte +\\d+ +\\d+.*").satisfies(l -> {
                    String[] parts = l.trim().split(" +");
                    assertThat(Long.parseLong(parts[2])).isGreaterThan(Long.parseLong(parts[1]));
                });
    }

    @Test
    @DisplayName("--mode both runs two-level and PAE; a backend without PAE is skipped there, not failed")
    void bothModes() {
        CliRunner.Result r = compare("--backends", "native,fixture", "--mode", "both", "--workload", "fork-exit");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("fork-exit, two-level mode", "fork-exit, pae mode", "  fixture: skipped, fixture does not support pae");
    }

    @Test
    @DisplayName("--format json: each mode's runs with their report, translations verdict and timeline")
    void json() throws IOException {
        CliRunner.Result r = compare("--backends", "native,fixture", "--workload", "fork-exit", "--format", "json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode tree = new ObjectMapper().readTree(r.out());
        assertThat(tree.get("workload").asText()).isEqualTo("fork-exit");
        JsonNode runs = tree.get("modes").get(0).get("runs");
        assertThat(runs.get(0).get("backend").asText()).isEqualTo("native");
        assertThat(runs.get(0).get("translations").get("verdict").asText()).isEqualTo("reference");
        assertThat(runs.get(1).get("translations").get("verdict").asText()).isEqualTo("AGREED");
        assertThat(runs.get(1).get("translations").get("digest").asText()).isEqualTo(runs.get(0).get("translations").get("digest").asText());
        assertThat(runs.get(0).get("report").get("kernel").asText()).isEqualTo("2.6.21");
        assertThat(runs.get(0).get("report").get("hooks").get("dupMmap").asLong()).as("no dup_mmap hook in 2.6.21").isZero();
        JsonNode timeline = runs.get(0).get("timeline");
        assertThat(timeline.size()).isGreaterThan(3);
        assertThat(timeline.get(timeline.size() - 1).get("hooks").asLong()).isGreaterThan(timeline.get(1).get("hooks").asLong());
    }

    @Test
    @DisplayName("--html writes one well-formed, self-contained page with inline SVG charts and the detection matrix")
    void html() throws Exception {
        CliRunner.Result r = compare("--backends", "native,fixture", "--workload", "fork-exit", "--bugs", "leak-pgd", "--html", "report.html");

        assertThat(r.exitCode()).as(r.err()).isZero();
        Path page = dir.resolve("report.html");
        String html = Files.readString(page);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(page.toFile());
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("html");
        // a bar chart for each count on which native and fixture differ (CompareHtmlTest checks which), and the run's lines
        assertThat(html).contains("<svg class=\"bars\"", "<svg class=\"lines\"");
        assertThat(doc.getElementsByTagName("polyline").getLength()).isGreaterThanOrEqualTo(2);
        assertThat(html).doesNotContain("http", "<script", "<link", "src=").contains("<style>", "Detection matrix", "<th class=\"l\">leak-pgd</th>");
        assertThat(r.out()).contains("HTML report: " + page, "Detection matrix");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(page);
        }
    }

    @Test
    @DisplayName("compare.backends and compare.mode come from the environment like every key")
    void optionsFromEnvironment() {
        CliRunner.Result r = cli().environment(Map.of("PVMM_COMPARE_BACKENDS", "native", "PVMM_WORKLOAD_PROCESSES", "4",
                "PVMM_COMPARE_MODE", "pae")).run("compare", "--workload", "fork-exit");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("fork-exit, pae mode").doesNotContain("fixture");
    }

    @Test
    @DisplayName("an unknown backend in --backends is PVMM-E002 with a suggestion, exit 3")
    void unknownBackend() {
        CliRunner.Result r = cli().run("compare", "--backends", "native,fixtrue");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).startsWith("PVMM-E002 unknown backend 'fixtrue' (from --backends option).").contains("Did you mean 'fixture'?");
        assertThat(r.out()).isEmpty();
    }

    @Test
    @DisplayName("an unknown bug is PVMM-E009 listing the bugs, exit 2")
    void unknownBug() {
        CliRunner.Result r = cli().run("compare", "--bugs", "leak-pdg");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E009 invalid value 'leak-pdg' for setting 'compare.bugs' (from --bugs option).")
                .contains("skip-release-pt", "Did you mean 'leak-pgd'?");
    }

    @Test
    @DisplayName("an --html path in a missing directory is PVMM-E014 before anything runs, and leaves no file")
    void unwritableHtml() throws IOException {
        CliRunner.Result r = compare("--backends", "native", "--html", "missing/report.html");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E014 output path " + dir.resolve("missing/report.html") + " is not writable (from --html option).");
        assertThat(r.out()).isEmpty();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    @DisplayName("an unknown workload is PVMM-E011 and no --html file appears")
    void unknownWorkloadLeavesNoFile() throws IOException {
        CliRunner.Result r = cli().run("compare", "--workload", "fork-exti", "--html", "r.html");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E011 unknown workload 'fork-exti'");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    @DisplayName("on a terminal a progress bar counts the runs on standard error; --quiet turns it off")
    void progress() {
        CliRunner.Result shown = cli().terminal().run("compare", "--backends", "native", "--set", "workload.processes=2");
        CliRunner.Result quiet = cli().terminal().run("compare", "--backends", "native", "--set", "workload.processes=2", "--quiet");

        assertThat(shown.err()).contains("] 1/1 run", "\r");
        assertThat(quiet.err()).isEmpty();
        assertThat(quiet.out()).contains("translations");
    }
}
