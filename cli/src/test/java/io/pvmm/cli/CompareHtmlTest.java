package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("the HTML report")
class CompareHtmlTest {

    private static final String[] SMALL = {"--set", "workload.processes=4", "--set", "workload.iterations=2", "--quiet"};

    @TempDir
    Path dir;

    private String report(String... args) throws IOException {
        CliRunner.Result r = new CliRunner(dir).run(Stream.concat(Stream.concat(Stream.of("compare"), Stream.of(args)),
                Stream.concat(Stream.of(SMALL), Stream.of("--html", "r.html"))).toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isIn(0, 4);
        return Files.readString(dir.resolve("r.html"));
    }

    private static List<String> all(String regex, String html) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(html);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    @Test
    @DisplayName("opens with what differs, then the detection matrix, the charts, the timelines, and every count last")
    void order() throws IOException {
        String html = report("--backends", "native,xen", "--mode", "both", "--workload", "fork-exit", "--bugs", "leak-pgd");

        assertThat(html).containsSubsequence("<h2>What differs</h2>", "<h2>Detection matrix</h2>", "<h2>Where the backends differ</h2>",
                "<h2>Over the run</h2>", "<h2>Side by side</h2>");
        assertThat(html).contains("Largest differences between backends", "two-level", "pae");
    }

    @Test
    @DisplayName("shows the paging modes side by side and boot apart from the steady state")
    void modesSideBySideBootApart() throws IOException {
        String html = report("--backends", "native,xen", "--mode", "both", "--workload", "fork-exit");

        assertThat(html).contains("<th class=\"mode\" colspan=\"2\">two-level</th><th class=\"mode\" colspan=\"2\">pae</th>",
                "hook calls at boot", "hook calls after boot (steady state)", "backend counters after boot (steady state)");
    }

    @Test
    @DisplayName("draws a chart only for a count on which the backends differ, with its unit, and names each bar on hover")
    void chartsOnlyWhereBackendsDiffer() throws IOException {
        String html = report("--backends", "native,xen", "--mode", "both", "--workload", "fork-exit");
        List<String> charts = all("<svg class=\"bars\"[^>]*aria-label=\"([^\"]*)\"", html);

        assertThat(charts).isNotEmpty().noneMatch(t -> t.contains("operations,") || t.contains("time (ms)"));
        for (String chart : all("(<svg class=\"bars\".*?</svg>)", html)) {
            List<String> values = all("<title>[^<]*: (\\d+) ", chart);
            assertThat(new java.util.HashSet<>(values)).as("a chart whose values all agree: " + chart).hasSizeGreaterThan(1);
        }
        assertThat(all("(<svg class=\"bars\".*?</svg>)", html)).allMatch(svg -> svg.contains("<rect") && svg.contains("<title>"));
    }

    @Test
    @DisplayName("puts a chart whose values span orders of magnitude on a log scale, and says so on its axis")
    void logScale() throws IOException {
        String html = report("--backends", "native,xen", "--workload", "fork-exit");

        assertThat(all("aria-label=\"([^\"]*\\(log scale\\))\"", html)).isNotEmpty();
        assertThat(ChartScale.fit(List.of(3.0, 40_000.0)).log()).isTrue();
        assertThat(ChartScale.fit(List.of(3.0, 40.0)).log()).isFalse();
        assertThat(ChartScale.fit(List.of(3.0, 40_000.0)).ticks()).containsExactly(1.0, 10.0, 100.0, 1000.0, 10_000.0, 100_000.0);
    }

    @Test
    @DisplayName("lists in a chart's legend only the backends it draws: one skipped in a mode is left out")
    void legendOfWhatIsDrawn() throws IOException {
        String html = report("--backends", "all", "--mode", "pae", "--workload", "fork-exit");
        String timeline = all("(<svg class=\"lines\".*?</svg>)", html).get(0);

        assertThat(html).contains("skipped: fixture does not support pae");
        assertThat(timeline).contains(">native</text>").doesNotContain(">fixture</text>");
    }

    @Test
    @DisplayName("gives a replayed trace's metadata, and marks its process events on the timelines with hover labels")
    void traceMetadataAndEvents() throws IOException {
        Path trace = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent().resolve("workloads/pipeline.trace");
        String html = report("--backends", "native,vmi", "--workload", trace.toString());

        assertThat(html).contains("<h2>Trace replayed</h2>", "recorded by pvmm record", "<th>exec</th>", "<th>mmap</th>");
        String timeline = all("(<svg class=\"lines\".*?</svg>)", html).get(0);
        assertThat(timeline).contains("<title>exec of pid ", "<title>exit of pid ", ">exec</text>", ">exit</text>");
    }

    @Test
    @DisplayName("gives the detection matrix with a legend of only the kinds of cell it shows")
    void matrixLegendInUse() throws IOException {
        String html = report("--backends", "native,xen", "--workload", "fork-exit", "--bugs", "leak-pgd,skip-release-pt");
        String legend = all("(<p class=\"legend\">.*?</p>)", html).get(0);

        assertThat(html).contains("<td class=\"violation\">violation:", "<td class=\"missed\">-</td>", "<td class=\"model\">");
        assertThat(legend).contains("class=\"violation\"", "class=\"missed\"", "class=\"model\"")
                .doesNotContain("class=\"audit\"", "class=\"failure\"", "class=\"skip\"");
    }

    @Test
    @DisplayName("loads nothing: no script, link, image or address")
    void selfContained() throws IOException {
        String html = report("--backends", "native,xen", "--workload", "fork-exit");

        assertThat(html).doesNotContainPattern("(?i)<script|<link|<img|src=|url\\(|@import|https?:");
    }
}
