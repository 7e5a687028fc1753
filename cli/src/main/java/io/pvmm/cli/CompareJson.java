package io.pvmm.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A comparison as one JSON object: {@code schemaVersion}, {@code workload}, {@code seed}, {@code vcpus}; {@code modes}, each
 * with its {@code mode} and {@code runs} (per backend: {@code backend}, {@code skipped} or the run's
 * {@code report} as {@code pvmm run --format json} gives it, {@code translations} with {@code pages},
 * {@code digest}, {@code verdict} and {@code differences}, and the {@code timeline} samples); and
 * {@code bugs}, the detection matrix's cells, each with its bug run's whole {@code report}. The shape is
 * published as {@code docs/schema/pvmm.schema.json}.
 */
final class CompareJson {

    private CompareJson() {
    }

    /**
     * The comparison as a tree of maps and lists.
     *
     * @param c the comparison
     * @return the tree
     */
    static Map<String, Object> tree(Comparison c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", ReportJson.SCHEMA_VERSION);
        m.put("workload", c.workload());
        m.put("seed", c.seed());
        m.put("vcpus", c.vcpus());
        List<Object> modes = new ArrayList<>();
        for (Comparison.ModeSection section : c.modes()) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("mode", section.mode().configName());
            List<Object> runs = new ArrayList<>();
            for (Comparison.BackendRun r : section.runs()) {
                Map<String, Object> rm = new LinkedHashMap<>();
                rm.put("backend", r.backend());
                if (r.skipped() != null) {
                    rm.put("skipped", r.skipped());
                    runs.add(rm);
                    continue;
                }
                TranslationDigest t = r.timeline().translations();
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("verdict", r.translationVerdict(r == section.reference()));
                if (t != null) {
                    tm.put("pages", t.pages());
                    tm.put("digest", t.digest());
                }
                if (r.agreement() != null) {
                    tm.put("differences", r.agreement().count());
                    tm.put("examples", r.agreement().examples());
                }
                rm.put("translations", tm);
                rm.put("report", ReportJson.tree(r.report()));
                List<Object> samples = new ArrayList<>();
                for (Timeline.Sample s : r.timeline().samples()) {
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("operations", s.operations());
                    x.put("hooks", s.totalHooks());
                    Map<String, Long> byHook = new LinkedHashMap<>();
                    s.hooks().forEach((h, n) -> {
                        if (n != 0) {
                            byHook.put(h.name(), n);
                        }
                    });
                    x.put("byHook", byHook);
                    x.put("counters", s.counters());
                    samples.add(x);
                }
                rm.put("timeline", samples);
                runs.add(rm);
            }
            sm.put("runs", runs);
            modes.add(sm);
        }
        m.put("modes", modes);
        List<Object> bugs = new ArrayList<>();
        for (Comparison.BugCell cell : c.bugs()) {
            Map<String, Object> bm = new LinkedHashMap<>();
            bm.put("bug", cell.bug());
            bm.put("mode", cell.mode().configName());
            bm.put("backend", cell.backend());
            bm.put("caught", cell.caught());
            bm.put("rules", cell.rules());
            bm.put("report", cell.report() == null ? null : ReportJson.tree(cell.report()));
            bugs.add(bm);
        }
        m.put("bugs", bugs);
        m.put("matrix", c.bugs().isEmpty() ? List.of() : c.matrix().rows());
        List<Object> seeded = new ArrayList<>();
        for (SeededRuns.Cell s : c.seeded()) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("bug", s.bug());
            sm.put("mode", s.mode().configName());
            sm.put("backend", s.backend());
            sm.put("seeds", s.seeds());
            sm.put("caught", s.caught());
            sm.put("firstSeed", s.firstSeed());
            sm.put("seen", s.seen());
            sm.put("controlFound", s.controlFound());
            sm.put("controlSeen", s.controlSeen());
            seeded.add(sm);
        }
        m.put("seeded", seeded);
        return m;
    }
}
