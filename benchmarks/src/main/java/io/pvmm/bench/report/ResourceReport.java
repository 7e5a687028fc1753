package io.pvmm.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Target 2 (heap per page-table frame, heap of an untouched 4 GiB guest), from the footprint tool's
 * JSON, and target 6 (start-up of {@code pvmm backends}), from hyperfine's JSON.
 */
public final class ResourceReport {

    private final List<TargetLine> targets;

    /**
     * Prepares the report.
     *
     * @param targets where the headlines go
     */
    public ResourceReport(List<TargetLine> targets) {
        this.targets = targets;
    }

    /**
     * Writes the memory section.
     *
     * @param md   where to write
     * @param file the footprint JSON
     * @throws IOException if it cannot be read
     */
    public void memory(Markdown md, Path file) throws IOException {
        md.heading(3, "Target 2: memory near the physical limit");
        if (!Files.exists(file)) {
            md.para("Not in this run.");
            return;
        }
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        JsonNode pt = root.get("pageTables");
        JsonNode ug = root.get("untouchedGuest");
        double perFrame = pt.get("bytesPerPageTableFrame").asDouble();
        double entries = pt.get("entryBytesPerPageTableFrame").asDouble();
        boolean ptOk = perFrame <= pt.get("targetBytesPerPageTableFrame").asDouble();
        md.table(List.of("measure", "value"), List.of(
                List.of("live processes (2-level, native)", pt.get("processes").asText()),
                List.of("page-table frames they add", pt.get("pageTableFramesAdded").asText()),
                List.of("retained heap they add", Format.number(pt.get("heapBytesAdded").asDouble() / (1 << 20)) + " MiB"),
                List.of("**heap per page-table frame**", "**" + Format.number(perFrame) + " B** (target ≤ 4,608 B)"),
                List.of("of which entries (int[1024] per frame)", Format.number(entries) + " B"),
                List.of("of which bookkeeping (mm, vmas, slab, pgd_list, task)", Format.number(perFrame - entries) + " B")));
        double bytesPerFrame = ug.get("bytesPerFrame").asDouble();
        double metadata = ug.get("metadataBytesPerFrame").asDouble();
        md.table(List.of("untouched guest (PAE, 4 GiB, native)", "value"), List.of(
                List.of("frames", ug.get("frames").asText()),
                List.of("retained heap", Format.number(ug.get("heapBytes").asDouble() / (1 << 20)) + " MiB"),
                List.of("**heap per frame**", "**" + Format.number(bytesPerFrame) + " B**"),
                List.of("of which boot page tables' entries", Format.number(ug.get("storageBytesPerFrame").asDouble()) + " B"),
                List.of("of which per-frame metadata", Format.number(metadata) + " B")));
        targets.add(new TargetLine("2a. heap per live page-table frame ≤ 4.5 KiB (2-level)",
                Format.number(perFrame) + " B per frame", Verdict.of(ptOk)));
        targets.add(new TargetLine("2b. untouched 4 GiB PAE guest costs only its frame metadata",
                Format.number(bytesPerFrame) + " B per frame, " + Format.number(metadata) + " B of it metadata",
                Verdict.of(bytesPerFrame - metadata < 1)));
    }

    /**
     * Writes the start-up section.
     *
     * @param md   where to write
     * @param file hyperfine's JSON export
     * @throws IOException if it cannot be read
     */
    public void startup(Markdown md, Path file) throws IOException {
        md.heading(3, "Target 6: start-up of `pvmm backends`");
        if (!Files.exists(file)) {
            md.para("Not in this run.");
            return;
        }
        JsonNode r = new ObjectMapper().readTree(file.toFile()).get("results").get(0);
        List<Double> times = new ArrayList<>();
        r.get("times").forEach(t -> times.add(t.asDouble()));
        times.sort(Double::compare);
        double median = r.get("median").asDouble();
        md.table(List.of("command", "runs", "median", "min", "max"), List.of(List.of("`" + r.get("command").asText() + "`",
                Integer.toString(times.size()), String.format("**%.3f s**", median), String.format("%.3f s", times.get(0)),
                String.format("%.3f s", times.get(times.size() - 1)))));
        targets.add(new TargetLine("6. `pvmm backends` cold start < 0.5 s", String.format("median %.3f s over %d runs",
                median, times.size()), Verdict.of(median < 0.5)));
    }
}
