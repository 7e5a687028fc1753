package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.guest.run.DetectionMatrix;
import io.pvmm.runtime.guest.GuestRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pvmm compare --bugs} prints the detection matrix that {@link DetectionMatrix} builds, the one
 * {@code docs/detection-matrix.md} shows and {@code DetectionMatrixTest} checks.
 */
@DisplayName("pvmm compare --bugs: the detection matrix")
class DetectionMatrixCommandTest {

    private static final Path PAGE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent()
            .resolve("docs/detection-matrix.md");

    @TempDir
    Path dir;

    /** @return the rows of the table printed under the "Detection matrix" heading */
    static List<List<String>> printedMatrix(String out) {
        List<String> lines = out.lines().toList();
        int start = 0;
        while (start < lines.size() && !lines.get(start).startsWith("Detection matrix")) {
            start++;
        }
        List<String> table = new ArrayList<>();
        for (int i = start + 1; i < lines.size() && !lines.get(i).isBlank(); i++) {
            table.add(lines.get(i));
        }
        return DetectionMatrix.parse(table);
    }

    /** @return the rows of the page's table */
    static List<List<String>> pageMatrix() throws Exception {
        List<String> lines = Files.readAllLines(PAGE);
        int start = 0;
        while (start < lines.size() && !lines.get(start).startsWith("| mode |")) {
            start++;
        }
        int end = start;
        while (end < lines.size() && lines.get(end).startsWith("|")) {
            end++;
        }
        return DetectionMatrix.parse(lines.subList(start, end));
    }

    @Test
    @DisplayName("--workload fork-exit --bugs all --mode both on the distribution's backends prints, cell by cell, the matrix docs/detection-matrix.md shows")
    void printsTheDocumentedMatrix() throws Exception {
        // the page's backends: the distribution's, which --backends all finds there (this class path adds test fixtures)
        List<String> backends = pageMatrix().stream().skip(1).map(row -> row.get(1))
                .filter(b -> !b.equals(DetectionMatrix.GUEST)).distinct().toList();
        assertThat(backends).contains("native", "vmi", "xen");
        CliRunner.Result r = new CliRunner(dir).runtime(GuestRuntime::discover)
                .run("compare", "--backends", String.join(",", backends), "--workload", "fork-exit", "--bugs", "all", "--mode", "both");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<List<String>> printed = printedMatrix(r.out());
        assertThat(printed).as("the printed matrix:%n%s", r.out()).isEqualTo(pageMatrix());
        int wtd = printed.get(0).indexOf("write-table-directly");
        int leak = printed.get(0).indexOf("leak-pgd");
        for (List<String> row : printed.subList(1, printed.size())) {
            if (row.get(1).equals("vmi")) {
                assertThat(row.get(wtd)).as("vmi catches write-table-directly in %s mode", row.get(0)).startsWith("audit:");
            }
            if (row.get(1).equals(DetectionMatrix.GUEST)) {
                assertThat(row.get(leak)).as("the model's checks catch leak-pgd in %s mode", row.get(0)).contains("leak");
            }
        }
    }

    @Test
    @DisplayName("--format json carries the same matrix as rows of cells")
    void jsonCarriesTheMatrix() throws Exception {
        CliRunner.Result r = new CliRunner(dir).runtime(GuestRuntime::discover).run("compare", "--backends", "native,vmi",
                "--workload", "fork-exit", "--bugs", "leak-pgd,write-table-directly", "--memory-mib", "64",
                "--set", "workload.processes=20", "--format", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        var matrix = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("matrix");
        assertThat(matrix.get(0).toString()).isEqualTo("[\"mode\",\"backend\",\"leak-pgd\",\"write-table-directly\"]");
        assertThat(matrix.get(1).toString()).startsWith("[\"two-level\",\"native\",\"-\",\"-\"]");
        assertThat(matrix.get(2).get(1).asText()).isEqualTo("vmi");
        assertThat(matrix.get(2).get(3).asText()).startsWith("audit:");
        assertThat(matrix.get(3).toString()).startsWith("[\"two-level\",\"guest\",\"unbalanced+leak\",\"-\"]");
    }
}
