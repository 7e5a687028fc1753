package io.pvmm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.run.BackendFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every guest bug under every discovered backend on one vCPU: what the backend catches, and how, must
 * be what {@link DetectionMatrix} says; and so must the model's own balance and leak checks.
 */
@DisplayName("bug-detection matrix")
class DetectionMatrixTest {

    @TestFactory
    @DisplayName("each backend catches exactly the bugs the matrix says, by the rule it names")
    Stream<DynamicNode> eachBackendCatchesWhatTheMatrixSays() {
        return Backends.discovered().stream().flatMap(p -> Arrays.stream(PagingMode.values())
                .filter(p.pagingModes()::contains)
                .map(mode -> DynamicContainer.dynamicContainer(p.name() + ", " + mode.configName(),
                        Arrays.stream(GuestBug.values()).map(bug -> DynamicTest.dynamicTest(bug.settingName(), () -> check(p, mode, bug))))));
    }

    private static void check(BackendProvider provider, PagingMode mode, GuestBug bug) {
        Detection seen = Detection.of(BackendFactory.of(provider), mode, bug);
        List<String> expected = DetectionMatrix.expected(mode, provider.name(), bug).orElseGet(() -> fail(
                "the detection matrix has no row for " + provider.name() + " in " + mode.configName() + " mode; it did '"
                        + seen.backend() + "' about " + bug.settingName() + ": add a row to DetectionMatrix.TABLE and docs/detection-matrix.md"));
        List<String> singleVcpu = expected.stream().map(e -> e.startsWith("smp-audit:") ? "-" : e).toList();
        assertThat(singleVcpu).as("%s in %s mode with %s (%s): expected per the matrix, seen '%s' (violations %s, findings %s, bug %s)",
                        provider.name(), mode.configName(), bug.settingName(), bug.what(), seen.backend(),
                        seen.report().violations(), seen.report().findings(), seen.report().bug())
                .contains(seen.backend());
        if (seen.guest() != null) {
            String guest = DetectionMatrix.expected(mode, DetectionMatrix.GUEST, bug).orElseThrow().get(0);
            assertThat(seen.guest()).as("the model's balance and leak checks with %s in %s mode", bug.settingName(), mode.configName())
                    .isEqualTo(guest);
        }
    }

    @Test
    @DisplayName("the matrix has a row for every discovered backend in every mode it declares")
    void everyDiscoveredBackendHasARow() {
        for (BackendProvider p : Backends.discovered()) {
            for (PagingMode mode : p.pagingModes()) {
                assertThat(DetectionMatrix.expected(mode, p.name(), GuestBug.SKIP_RELEASE_PT))
                        .as("a row for %s in %s mode", p.name(), mode.configName()).isPresent();
            }
        }
    }

    @Test
    @DisplayName("docs/detection-matrix.md shows the same table as the test")
    void theDocsShowTheSameTable() throws IOException {
        Path doc = Path.of(System.getProperty("pvmm.docs", "../docs"), "detection-matrix.md");
        assumeTrue(Files.exists(doc), "docs/detection-matrix.md is not beside the module");
        List<List<String>> docRows = Files.readAllLines(doc).stream()
                .filter(l -> l.startsWith("|") && !l.matches("\\|[-| :]+\\|"))
                .map(l -> Arrays.stream(l.substring(1, l.lastIndexOf('|')).split("\\|"))
                        .map(c -> c.trim().replace("`", "")).toList())
                .toList();
        assertThat(docRows).isEqualTo(DetectionMatrix.rows());
    }
}
