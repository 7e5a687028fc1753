package io.pvmm.cli;

import io.pvmm.api.SettingSpec;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.config.SettingNamespace;
import io.pvmm.runtime.guest.GuestRuntime;
import java.util.List;

/**
 * The command line's own settings, so that every option can also come from a system property, the
 * environment or {@code pvmm.properties}: {@code run.*}, {@code compare.*} and {@code cli.*}.
 */
final class CliSettings {

    /** {@code run.*}: how {@code pvmm run} and {@code pvmm replay} report. */
    static final SettingNamespace RUN = new SettingNamespace("run", List.of(
            SettingSpec.choice("format", "text", "the report's format", "text", "json"),
            SettingSpec.string("record-hooks", "", "write every hook call of the run to this file (empty: do not record)")));

    /** {@code compare.*}: what {@code pvmm compare} runs and writes. */
    static final SettingNamespace COMPARE = new SettingNamespace("compare", List.of(
            SettingSpec.string("backends", "all", "the backends to compare, comma-separated, or all (every discovered backend)"),
            SettingSpec.choice("mode", "configured", "the paging modes: two-level, pae, both, or configured (the mode key's value)",
                    "configured", "two-level", "pae", "both"),
            SettingSpec.string("bugs", "none", "guest bugs to inject, one run each per backend: none, all, or a comma-separated list"),
            SettingSpec.choice("format", "text", "the report's format on standard output", "text", "json"),
            SettingSpec.string("html", "", "also write a self-contained HTML report with charts to this file (empty: none)"),
            SettingSpec.longValue("sample-every", 100, "sample the hook counts every this many operations, for the timeline"),
            SettingSpec.longValue("threads", 0, "runs at once (0: one per core)"),
            SettingSpec.longValue("seeds", 1, "with bugs: run each bug on this many seeds from guest.seed, and the same seeds"
                    + " without it (the control), and report how often each backend caught it")));

    /** {@code cli.*}: the terminal. */
    static final SettingNamespace CLI = new SettingNamespace("cli", List.of(
            SettingSpec.bool("quiet", false, "no progress bar, even on a terminal"),
            SettingSpec.bool("verbose", false, "print a failed run's stack frames, for the backend's author")));

    private CliSettings() {
    }

    /**
     * Adds the guest's and the command line's namespaces to a runtime that lacks them.
     *
     * @param runtime a runtime
     * @return the runtime with {@code guest.*}, {@code workload.*}, {@code run.*}, {@code compare.*}, {@code cli.*}
     */
    static PvmmRuntime register(PvmmRuntime runtime) {
        PvmmRuntime r = runtime;
        if (r.keys().namespaceSpecs(GuestRuntime.GUEST.name()).isEmpty()) {
            r = GuestRuntime.withGuest(r);
        }
        for (SettingNamespace ns : List.of(RUN, COMPARE, CLI)) {
            if (r.keys().namespaceSpecs(ns.name()).isEmpty()) {
                r = r.withNamespace(ns);
            }
        }
        return CostSettings.register(r);
    }
}
