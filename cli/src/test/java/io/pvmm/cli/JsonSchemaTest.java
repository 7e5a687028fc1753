package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.pvmm.guest.hw.Apic;
import io.pvmm.guest.hw.TlbCounters;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.observe.Hook;
import io.pvmm.guest.run.AuditSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** docs/schema/pvmm.schema.json: the JSON every command prints holds to it, and it holds to the code that writes the JSON. */
@DisplayName("the published JSON schema")
class JsonSchemaTest {

    static final Path SCHEMA = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent()
            .resolve("docs/schema/pvmm.schema.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] SMALL = {"--workload", "fork-exit", "--set", "workload.processes=2", "--set",
        "workload.iterations=1", "--format", "json"};

    @TempDir
    Path dir;

    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of("run", "run --backend native", List.of("run", "--backend", "native")),
                Arguments.of("run with a guest bug", "run --backend vmi", List.of("run", "--backend", "vmi", "--set", "guest.bug=leak-pgd",
                        "--mode", "pae", "--vcpus", "2")),
                Arguments.of("run on a backend that throws", "run --backend fixture", List.of("run", "--backend", "fixture",
                        "--set", "fixture.level=-1")),
                Arguments.of("replay", "replay", List.of("replay", Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
                        .getParent().resolve("workloads/pipeline.trace").toString(), "--format", "json")),
                Arguments.of("compare with bugs, a skipped backend and seeds", "compare",
                        List.of("compare", "--backends", "all", "--mode", "both", "--bugs", "leak-pgd,skip-release-pt", "--seeds", "2")),
                Arguments.of("compare with a backend that throws", "compare",
                        List.of("compare", "--backends", "native,fixture", "--set", "fixture.level=-1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    @DisplayName("validates the JSON the command prints")
    void validatesEveryCommand(String what, String command, List<String> args) throws IOException {
        List<String> line = new ArrayList<>(args);
        if (!line.contains("replay")) {
            line.addAll(List.of(SMALL));
        }
        CliRunner.Result r = new CliRunner(dir).run(line.toArray(String[]::new));
        assertThat(r.out()).as(r.err()).startsWith("{");

        List<Error> errors = schema().validate(JSON.readTree(r.out()));

        assertThat(errors).as(command).isEmpty();
    }

    /** The commands this test validates the JSON of; a command that gains --format json must be added, with its schema. */
    private static final java.util.Set<String> VALIDATED = java.util.Set.of("pvmm run", "pvmm replay", "pvmm compare");

    @Test
    @DisplayName("covers every command that prints JSON: each with a --format option is validated here")
    void coversEveryJsonCommand() {
        picocli.CommandLine root = Main.commandLine(CliContext.of(java.util.Map.of(), java.util.Map.of(), Path.of("."), () -> {
            throw new IllegalStateException("never discovers backends");
        }));
        java.util.Set<String> withFormat = new java.util.TreeSet<>();
        collect(root, withFormat);

        assertThat(withFormat).as("a command with --format needs its shape in docs/schema/pvmm.schema.json ($defs and the top-level oneOf)"
                + " and a case in commands() here").containsExactlyInAnyOrderElementsOf(VALIDATED);
    }

    private static void collect(picocli.CommandLine command, java.util.Set<String> into) {
        if (command.getCommandSpec().findOption("--format") != null) {
            into.add(command.getCommandSpec().qualifiedName());
        }
        command.getSubcommands().values().stream().filter(sub -> sub.getCommandSpec().parent() == command.getCommandSpec())
                .forEach(sub -> collect(sub, into));
    }

    @Test
    @DisplayName("refuses a report with a key the schema does not name, or without one it requires")
    void refusesWhatItDoesNotName() throws IOException {
        CliRunner.Result r = new CliRunner(dir).run(concat("run", "--backend", "native"));
        com.fasterxml.jackson.databind.node.ObjectNode extra = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(r.out());
        extra.put("surprise", 1);
        com.fasterxml.jackson.databind.node.ObjectNode missing = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(r.out());
        missing.remove("balanced");

        assertThat(schema().validate(extra)).isNotEmpty();
        assertThat(schema().validate(missing)).isNotEmpty();
    }

    @Test
    @DisplayName("names the keys the writers emit, in their order, each required: the run report's and the comparison's")
    void keysAreTheWritersKeys() throws IOException {
        JsonNode defs = JSON.readTree(SCHEMA.toFile()).get("$defs");
        CliRunner cli = new CliRunner(dir);
        JsonNode run = JSON.readTree(cli.run(concat("run", "--backend", "native")).out());
        JsonNode compare = JSON.readTree(cli.run(concat("compare", "--backends", "native", "--bugs", "leak-pgd")).out());

        String hint = "docs/schema/pvmm.schema.json must name, in order, every key the JSON writers (ReportJson, CompareJson) emit";
        assertThat(names(defs.at("/runReport/properties"))).as(hint).containsExactlyElementsOf(names(run));
        assertThat(strings(defs.at("/runReport/required"))).containsExactlyElementsOf(names(run));
        assertThat(names(defs.at("/comparison/properties"))).containsExactlyElementsOf(names(compare));
        assertThat(strings(defs.at("/comparison/required"))).containsExactlyElementsOf(names(compare));
        assertThat(strings(defs.at("/bugCell/required"))).containsExactlyElementsOf(names(compare.at("/bugs/0")));
        assertThat(strings(defs.at("/sample/required"))).containsExactlyElementsOf(names(compare.at("/modes/0/runs/0/timeline/0")));
    }

    @Test
    @DisplayName("lists the hooks, the TLB counts, the cost events, the outcomes and the audit points the code has, no more and no fewer")
    void enumerationsAreTheCodes() throws IOException {
        JsonNode defs = JSON.readTree(SCHEMA.toFile()).get("$defs");

        assertThat(strings(defs.at("/hookName/enum"))).containsExactlyElementsOf(Arrays.stream(Hook.values()).map(Hook::name).toList());
        List<String> perCpu = new ArrayList<>(new TlbCounters().asMap().keySet());
        perCpu.addAll(new Apic(1, () -> 0).counters().get(0).keySet());
        assertThat(strings(defs.at("/tlb/required"))).containsExactlyElementsOf(perCpu);
        assertThat(names(defs.at("/runReport/properties/outcomes/properties")))
                .containsExactlyElementsOf(Arrays.stream(Processes.Outcome.values()).map(Enum::name).toList());
        assertThat(strings(defs.at("/audit/properties/point/enum")))
                .containsExactlyElementsOf(Arrays.stream(AuditSchedule.Point.values()).map(AuditSchedule.Point::label).toList());
        assertThat(strings(defs.at("/costEventName/enum")))
                .containsExactlyElementsOf(Arrays.stream(io.pvmm.api.CostEvent.values()).map(io.pvmm.api.CostEvent::id).toList());
        assertThat(defs.at("/schemaVersion/const").asInt()).isEqualTo(ReportJson.SCHEMA_VERSION);
    }

    static Schema schema() throws IOException {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        return registry.getSchema(Files.readString(SCHEMA));
    }

    private static String[] concat(String... head) {
        return Stream.concat(Stream.of(head), Stream.of(SMALL)).toArray(String[]::new);
    }

    private static List<String> names(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> strings(JsonNode array) {
        List<String> s = new ArrayList<>();
        array.forEach(e -> s.add(e.asText()));
        return s;
    }
}
