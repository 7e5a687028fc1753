package io.pvmm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pvmm.api.Finding;
import io.pvmm.guest.run.RunReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run report as one JSON object: {@code schemaVersion} ({@link #SCHEMA_VERSION}), {@code backend}, {@code mode}, {@code workload}, {@code seed},
 * {@code vcpus}, {@code hooks} (calls per SPI method, by Java method name), {@code counters},
 * {@code tlb} (each vCPU's TLB and walk counts), {@code costEvents} and {@code bootCostEvents} (the backend's
 * typed cost events by id, at the end and at the end of boot; empty when it reports none),
 * {@code findings}, {@code violations}, {@code frames} (page-table frames live at the end),
 * {@code elapsedMillis}, the checks ({@code balanced}, {@code leakedFrames}, ...), and {@code audits}: how many
 * audits ran ({@code count}) and each one's {@code point} ({@code during}, {@code before-shutdown},
 * {@code after-shutdown}), {@code operation} and number of {@code findings}.
 */
final class ReportJson {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The version of the JSON shape of {@code run}, {@code replay} and {@code compare}, the first key of
     * each report: it changes when a key is renamed, removed or changes meaning, not when one is added.
     */
    static final int SCHEMA_VERSION = 1;

    private ReportJson() {
    }

    /**
     * The report as a tree of maps and lists, in a fixed key order.
     *
     * @param r the report
     * @return the tree
     */
    static Map<String, Object> tree(RunReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", SCHEMA_VERSION);
        m.put("backend", r.backend());
        m.put("mode", r.mode());
        m.put("kernel", r.kernel());
        m.put("workload", r.workload());
        m.put("seed", r.seed());
        m.put("vcpus", r.vcpus());
        m.put("completed", r.completed());
        m.put("hooks", r.hooks());
        m.put("bootHooks", r.bootHooks());
        m.put("counters", r.counters());
        m.put("bootCounters", r.bootCounters());
        m.put("tlb", r.tlb());
        m.put("costEvents", r.costEvents());
        m.put("bootCostEvents", r.bootCostEvents());
        List<Object> findings = new ArrayList<>();
        for (Finding f : r.findings()) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("rule", f.ruleId());
            fm.put("frame", f.pfn());
            fm.put("index", f.index());
            fm.put("message", f.message());
            fm.put("expected", f.expected());
            fm.put("found", f.found());
            findings.add(fm);
        }
        m.put("findings", findings);
        List<Object> violations = new ArrayList<>();
        for (RunReport.ViolationRecord v : r.violations()) {
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("rule", v.rule());
            vm.put("frame", v.pfn());
            vm.put("message", v.message());
            vm.put("expected", v.expected());
            vm.put("found", v.found());
            violations.add(vm);
        }
        m.put("violations", violations);
        m.put("bug", r.bug());
        m.put("failure", r.failure());
        m.put("frames", r.frames());
        m.put("bootFrames", r.bootFrames());
        m.put("kernelTables", r.kernelTables());
        m.put("balanced", r.balanced());
        m.put("leakedFrames", r.bootFreePages() - r.kernelTables() - r.freePages());
        m.put("operations", r.operations());
        m.put("outcomes", r.outcomes());
        m.put("injectedFailures", r.injected());
        m.put("elapsedMillis", r.elapsedMillis());
        Map<String, Object> audits = new LinkedHashMap<>();
        audits.put("count", r.audits().size());
        List<Object> each = new ArrayList<>();
        for (RunReport.AuditRecord a : r.audits()) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("point", a.point().label());
            am.put("operation", a.operation());
            am.put("findings", a.findings());
            each.add(am);
        }
        audits.put("at", each);
        m.put("audits", audits);
        return m;
    }

    /**
     * Renders a tree as indented JSON.
     *
     * @param tree maps, lists and scalars
     * @return the JSON text
     */
    static String render(Object tree) {
        try {
            return MAPPER.writeValueAsString(tree);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a report could not be rendered as JSON", e);
        }
    }
}
