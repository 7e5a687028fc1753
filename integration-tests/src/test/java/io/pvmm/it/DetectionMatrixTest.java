package io.pvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.run.AuditSchedule;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.DetectionMatrix;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.Workload;
import io.pvmm.guest.workload.WorkloadSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every guest bug under every discovered backend, in every mode it declares, on one vCPU with the
 * command line's defaults (the runs {@code pvmm compare --backends all --workload fork-exit --bugs all
 * --mode both} makes), built into a {@link DetectionMatrix}: the matrix {@code docs/detection-matrix.md}
 * shows, cell by cell. The page is what the runs say, never what someone expected them to say.
 */
@DisplayName("bug-detection matrix")
class DetectionMatrixTest {

    private static DetectionMatrix matrix;

    /** The backends in the command line's order for {@code --backends all}: native first, then by name. */
    static List<BackendProvider> inCommandOrder() {
        List<BackendProvider> all = new ArrayList<>(Backends.discovered());
        all.sort(Comparator.comparing((BackendProvider p) -> !p.name().equals("native")).thenComparing(BackendProvider::name));
        return all;
    }

    @BeforeAll
    static void build() {
        Workload workload = BuiltInWorkloads.find("fork-exit", WorkloadSettings.DEFAULTS).orElseThrow();
        matrix = new DetectionMatrix(Arrays.asList(GuestBug.values()));
        for (PagingMode mode : PagingMode.values()) {
            for (BackendProvider p : inCommandOrder()) {
                if (!p.pagingModes().contains(mode)) {
                    continue;
                }
                for (GuestBug bug : GuestBug.values()) {
                    DetectionMatrix.Watch watch = new DetectionMatrix.Watch();
                    RunReport r = new GuestRun(mode, GuestConfig.DEFAULTS.withBugs(Set.of(bug)), workload)
                            .audit(AuditSchedule.DEFAULT).observe(watch).run(BackendFactory.of(p));
                    matrix.add(mode, p.name(), bug, r, watch);
                }
            }
        }
    }

    @Test
    @DisplayName("docs/detection-matrix.md shows, cell by cell, the matrix the runs build")
    void theDocsShowTheMatrixTheRunsBuild() throws IOException {
        assertThat(DetectionMatrixPage.rows()).as("docs/detection-matrix.md's table; the runs built:%n%s", matrix.markdown())
                .isEqualTo(matrix.rows());
    }

    @Test
    @DisplayName("the model's own checks say the same of a bug on every backend whose run completed")
    void theGuestRowIsTheSameOnEveryBackend() {
        assertThat(matrix.disagreements()).isEmpty();
    }

    @Test
    @DisplayName("vmi's audits catch write-table-directly, and the model's own checks catch leak-pgd, in both modes")
    void theCasesTheCommandLineMissed() {
        int wtd = matrix.header().indexOf(GuestBug.WRITE_TABLE_DIRECTLY.settingName());
        int leak = matrix.header().indexOf(GuestBug.LEAK_PGD.settingName());
        List<List<String>> rows = matrix.rows().subList(1, matrix.rows().size());
        List<List<String>> vmi = rows.stream().filter(row -> row.get(1).equals("vmi")).toList();
        List<List<String>> guest = rows.stream().filter(row -> row.get(1).equals(DetectionMatrix.GUEST)).toList();
        assertThat(vmi).as("vmi's rows: one per paging mode").extracting(row -> row.get(0)).containsExactly("two-level", "pae");
        assertThat(guest).as("the guest rows: one per paging mode").extracting(row -> row.get(0)).containsExactly("two-level", "pae");
        for (List<String> row : vmi) {
            assertThat(row.get(wtd)).as("vmi, %s", row.get(0)).startsWith("audit:");
        }
        for (List<String> row : guest) {
            assertThat(row.get(leak)).as("the guest row, %s", row.get(0)).contains("leak");
        }
    }

    @Test
    @DisplayName("native catches nothing: every native cell is '-'")
    void nativeCatchesNothing() {
        matrix.rows().stream().filter(r -> r.get(1).equals("native"))
                .forEach(r -> assertThat(r.subList(2, r.size())).as("native, %s", r.get(0)).containsOnly("-"));
    }
}
