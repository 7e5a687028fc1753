package io.pvmm.runtime.plugin;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.WorkloadSettings;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import io.pvmm.runtime.error.PvmmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The last check of a backend jar, which a run would meet first: {@code create()} builds a backend
 * and a small guest boots and shuts down on it in every declared paging mode, with no violation, no
 * backend failure and an empty audit.
 */
final class BootCheck {

    /** A guest as small as boots: the kernel's own page tables, then shutdown. */
    private static final GuestConfig GUEST = GuestConfig.DEFAULTS.withMemoryMib(16);

    private BootCheck() {
    }

    /**
     * Creates the backend and boots a guest on it in each mode its provider declares.
     *
     * @param backend the provider, loaded as the runtime loads it
     * @return the check
     */
    static BackendJarCheck.Check boot(DiscoveredBackend backend) {
        String name = "creates and boots a guest";
        List<String> booted = new ArrayList<>();
        for (PagingMode mode : PagingMode.values()) {
            if (!backend.supports(mode)) {
                continue;
            }
            RunReport report;
            try {
                report = new GuestRun(mode, GUEST, BuiltInWorkloads.find("boot", WorkloadSettings.DEFAULTS).orElseThrow())
                        .run(BackendFactory.of(backend.provider()));
            } catch (RuntimeException | LinkageError e) {
                return new BackendJarCheck.Check(name, false, "in " + mode.configName() + " mode: " + PvmmException.describe(e));
            }
            String problem = report.failure() != null ? "create() or a hook threw: " + report.failure()
                    : !report.violations().isEmpty() ? "a violation on a correct guest: " + report.violations().get(0)
                    : report.bug() != null ? "the guest hit a BUG: " + report.bug()
                    : !report.findings().isEmpty() ? "its audit after shutdown: " + report.findings().get(0)
                    : !report.completed() ? "the guest did not boot and shut down" : null;
            if (problem != null) {
                return new BackendJarCheck.Check(name, false, "in " + mode.configName() + " mode: " + problem);
            }
            booted.add(mode.configName());
        }
        return new BackendJarCheck.Check(name, true, "a " + GUEST.memoryMib() + " MiB guest booted and shut down in "
                + String.join(" and ", booted) + " mode");
    }
}
