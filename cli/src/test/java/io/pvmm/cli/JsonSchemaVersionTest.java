package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("JSON reports")
class JsonSchemaVersionTest {

    private static final String[] SMALL = {"--workload", "fork-exit", "--set", "workload.processes=2", "--set", "workload.iterations=1",
        "--format", "json"};

    @TempDir
    Path dir;

    @Test
    @DisplayName("run and compare begin with schemaVersion, and compare's runs hold the report run prints, field for field")
    void schemaVersionAndSharedShape() throws Exception {
        ObjectMapper json = new ObjectMapper();
        CliRunner cli = new CliRunner(dir);
        JsonNode run = json.readTree(cli.run(concat("run", "--backend", "native")).out());
        JsonNode compare = json.readTree(cli.run(concat("compare", "--backends", "native")).out());

        assertThat(run.fieldNames().next()).isEqualTo("schemaVersion");
        assertThat(run.get("schemaVersion").asInt()).isEqualTo(ReportJson.SCHEMA_VERSION);
        assertThat(compare.fieldNames().next()).isEqualTo("schemaVersion");
        assertThat(compare.get("schemaVersion").asInt()).isEqualTo(ReportJson.SCHEMA_VERSION);
        JsonNode nested = compare.get("modes").get(0).get("runs").get(0).get("report");
        assertThat(iterable(nested)).containsExactlyElementsOf(iterable(run));
    }

    private static String[] concat(String... head) {
        String[] all = new String[head.length + SMALL.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(SMALL, 0, all, head.length, SMALL.length);
        return all;
    }

    private static java.util.List<String> iterable(JsonNode n) {
        java.util.List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
