package io.pvmm.backend.nested;

import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.GuestMachine;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.ExecImage;
import java.util.Map;

/** A small guest booted on the nested backend, with the backend at hand. */
record NestedGuest(GuestKernel kernel, NestedOps ops) {

    static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);

    static NestedGuest boot(PagingMode mode, Map<String, String> settings) {
        NestedProvider provider = new NestedProvider();
        GuestMachine machine = GuestMachine.create(mode, SMALL, provider.platform(mode));
        ParavirtOps ops = provider.create(machine.backendContext(BackendSettings.of(provider.settings(), settings)));
        return new NestedGuest(machine.boot(ops), (NestedOps) ops);
    }

    static NestedGuest boot(PagingMode mode) {
        return boot(mode, Map.of());
    }

    /** Starts pid 1 and execs it. */
    Processes init() {
        Processes p = kernel.processes();
        p.spawnKernelThread(1);
        if (p.exec(1, ExecImage.DEFAULT) != Processes.Outcome.OK) {
            throw new AssertionError("exec of pid 1 failed");
        }
        return p;
    }

    long counter(String name) {
        return ops.counters().get(name);
    }
}
