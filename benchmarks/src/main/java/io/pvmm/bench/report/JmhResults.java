package io.pvmm.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** The results of one JMH run, read from its JSON output ({@code -rf json}). */
public final class JmhResults {

    private final List<Result> results;

    private JmhResults(List<Result> results) {
        this.results = List.copyOf(results);
    }

    /**
     * Reads a JMH JSON file.
     *
     * @param file the file
     * @return the results
     * @throws IOException if it cannot be read
     */
    public static JmhResults read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        List<Result> list = new ArrayList<>();
        for (JsonNode n : root) {
            String full = n.get("benchmark").asText();
            String[] parts = full.split("\\.");
            String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
            Map<String, String> params = new LinkedHashMap<>();
            JsonNode p = n.get("params");
            if (p != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    params.put(e.getKey(), e.getValue().asText());
                }
            }
            JsonNode metric = n.get("primaryMetric");
            JsonNode err = metric.get("scoreError");
            double error = err == null || !err.isNumber() ? Double.NaN : err.asDouble();
            list.add(new Result(name, params, metric.get("score").asDouble(), error, metric.get("scoreUnit").asText(),
                    n.get("threads").asInt()));
        }
        return new JmhResults(list);
    }

    /** @return every result, in run order */
    public List<Result> all() {
        return results;
    }

    /**
     * The results of one benchmark.
     *
     * @param benchmark e.g. {@code GuestOpsBenchmark.forkExit}
     * @return its results, in run order
     */
    public List<Result> of(String benchmark) {
        return results.stream().filter(r -> r.benchmark().equals(benchmark)).toList();
    }

    /**
     * The one result of a benchmark whose parameters match.
     *
     * @param benchmark the benchmark
     * @param match     a test on the parameters
     * @return the result, if the run has it
     */
    public Optional<Result> find(String benchmark, Predicate<Result> match) {
        return of(benchmark).stream().filter(match).findFirst();
    }

    /**
     * A test on one parameter.
     *
     * @param name  the parameter
     * @param value its value
     * @return the test
     */
    public static Predicate<Result> param(String name, String value) {
        return r -> value.equals(r.param(name));
    }
}
