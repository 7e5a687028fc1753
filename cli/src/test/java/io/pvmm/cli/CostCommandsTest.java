package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("costs on the command line")
class CostCommandsTest {

    /** docs/validation.md, from the cli module's directory. */
    private static final Path PAGE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent()
            .resolve("docs").resolve("validation.md");

    @TempDir
    Path dir;

    @Test
    @DisplayName("compare --workload lat-fork prints cycles per fork and the slowdown against native, and 'no cost model' where there is none")
    void compareLatFork() {
        CliRunner.Result r = new CliRunner(dir).run("compare", "--backends", "native,xen,vmi", "--workload", "lat-fork");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Estimated cost per fork (profile xeon-2003: cycles at 2.4 GHz")
                .containsPattern("\n  native +two-level +\\d+ +\\d+\\.\\d\\d +1\\.00x\n")
                .containsPattern("\n  xen +two-level +\\d+ +\\d+\\.\\d\\d +\\d+\\.\\d\\dx\n")
                .containsPattern("\n  vmi +two-level +no cost model\n");
    }

    @Test
    @DisplayName("an override moves xen's estimate, and compare --format json carries the cost section")
    void overrideAndJson() {
        CliRunner.Result base = new CliRunner(dir).run("compare", "--backends", "native,xen", "--workload", "lat-ctx", "--format", "json");
        CliRunner.Result more = new CliRunner(dir).run("compare", "--backends", "native,xen", "--workload", "lat-ctx", "--format", "json",
                "--set", "cost.xen.hypercall=100000");
        assertThat(base.exitCode()).as(base.err()).isZero();
        assertThat(base.out()).contains("\"cost\"", "\"profile\" : \"xeon-2003\"", "\"operation\" : \"context switch\"", "\"costModel\" : true");
        assertThat(cycles(more.out(), "xen")).isGreaterThan(cycles(base.out(), "xen") + 90_000);
        assertThat(cycles(more.out(), "native")).isEqualTo(cycles(base.out(), "native"));
    }

    @Test
    @DisplayName("a cost override of an event there is none of is an unknown setting with a suggestion; one that is no number is PVMM-E073")
    void badOverride() {
        CliRunner.Result typo = new CliRunner(dir).run("compare", "--backends", "native", "--workload", "lat-ctx",
                "--set", "cost.native.hypercal=1");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("PVMM-E008", "Did you mean 'cost.native.hypercall'?");
        CliRunner.Result word = new CliRunner(dir).run("compare", "--backends", "native", "--workload", "lat-ctx",
                "--set", "cost.native.hypercall=fast");
        assertThat(word.exitCode()).isEqualTo(2);
        assertThat(word.err()).contains("PVMM-E073", "'fast' is not a whole number of cycles");
    }

    @Test
    @DisplayName("validate prints every row of docs/validation.md's table as the page shows it, every column: figures, predictions, residuals")
    void validatePrintsTheDocsRows() throws IOException {
        CliRunner.Result r = new CliRunner(dir).run("validate");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> rows = Files.readAllLines(PAGE).stream().filter(l -> l.matches("\\| [a-z]+-[a-z]+ \\|.*") && l.split("\\|").length > 10).toList();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(14);
        for (String row : rows) {
            String[] cells = row.split("\\|");
            String id = cells[1].trim();
            String line = r.out().lines().filter(l -> l.startsWith("| " + id + " |")).findFirst().orElse(null);
            assertThat(line).as("validate prints the row %s", id).isNotNull();
            String[] mine = line.split("\\|", -1);
            String[] theirs = row.split("\\|", -1);
            assertThat(mine).as("row %s: the number of columns", id).hasSameSizeAs(theirs);
            for (int c = 1; c < theirs.length; c++) {
                assertThat(mine[c].trim()).as("row %s, column %d", id, c).isEqualTo(theirs[c].trim());
            }
        }
    }

    private static double cycles(String json, String backend) {
        int at = json.indexOf("\"backend\" : \"" + backend + "\"", json.indexOf("\"cost\""));
        int c = json.indexOf("\"cycles\" : ", at);
        return Double.parseDouble(json.substring(c + 11, json.indexOf(',', c)).trim());
    }
}
