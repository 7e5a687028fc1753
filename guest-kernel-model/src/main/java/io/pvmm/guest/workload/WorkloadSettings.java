package io.pvmm.guest.workload;

import io.pvmm.api.SettingSpec;
import java.util.List;
import java.util.Map;

/**
 * The built-in workloads' settings, configured under {@code workload.*}.
 *
 * @param processes  processes each vCPU forks ({@code workload.processes})
 * @param pages      pages each process touches ({@code workload.pages})
 * @param parallel   live child processes per vCPU at most ({@code workload.parallel})
 * @param iterations rounds of the page-attribute storm ({@code workload.iterations})
 * @param reapEvery  the page-table caches are shrunk ({@code kmem_cache_shrink}) after this many exits,
 *                   0 never ({@code workload.reap-every}); the default, as the kernel never shrinks them
 *                   on its own: {@code cache_reap} runs on the guest clock instead
 */
public record WorkloadSettings(int processes, int pages, int parallel, int iterations, int reapEvery) {

    /** The namespace of the workload settings. */
    public static final String NAMESPACE = "workload";

    /** The workload a run gets when none is named ({@code workload.name}). */
    public static final String DEFAULT_WORKLOAD = "fork-exit";

    /** The defaults. */
    public static final WorkloadSettings DEFAULTS = new WorkloadSettings(200, 16, 8, 200, 0);

    /**
     * Checks the values.
     *
     * @param processes  processes per vCPU
     * @param pages      pages per process
     * @param parallel   live children per vCPU
     * @param iterations storm rounds
     * @param reapEvery  exits between reaps
     */
    public WorkloadSettings {
        if (processes < 0 || pages < 0 || parallel < 1 || iterations < 0 || reapEvery < 0) {
            throw new IllegalArgumentException("workload settings must be non-negative and workload.parallel at least 1");
        }
    }

    /** @return the specs of {@code workload.*}, keys without the namespace */
    public static List<SettingSpec> specs() {
        return List.of(
                SettingSpec.string("name", DEFAULT_WORKLOAD, "the workload: a built-in name (boot, fork-exit, pageattr, smp-mixed, clone-race, lat-fork, lat-exec, lat-shell, lat-pagefault, lat-mmap, lat-protfault, lat-ctx) or a trace file's path"),
                SettingSpec.longValue("processes", DEFAULTS.processes, "processes each vCPU forks (fork-exit, smp-mixed)"),
                SettingSpec.longValue("pages", DEFAULTS.pages, "pages each process touches"),
                SettingSpec.longValue("parallel", DEFAULTS.parallel, "live child processes per vCPU at most"),
                SettingSpec.longValue("iterations", DEFAULTS.iterations, "rounds of the page-attribute storm (pageattr, smp-mixed)"),
                SettingSpec.longValue("reap-every", DEFAULTS.reapEvery, "shrink the page-table caches after this many exits (0: never)"));
    }

    /**
     * Builds the settings from validated values (keys without the namespace).
     *
     * @param values values by key; missing keys take their defaults
     * @return the settings
     */
    public static WorkloadSettings fromSettings(Map<String, String> values) {
        return new WorkloadSettings(
                intOf(values, "processes", DEFAULTS.processes), intOf(values, "pages", DEFAULTS.pages),
                intOf(values, "parallel", DEFAULTS.parallel), intOf(values, "iterations", DEFAULTS.iterations),
                intOf(values, "reap-every", DEFAULTS.reapEvery));
    }

    private static int intOf(Map<String, String> values, String key, int dflt) {
        String v = values.get(key);
        return v == null ? dflt : Math.toIntExact(SettingSpec.parseLong(v));
    }
}
