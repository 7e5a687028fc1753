package io.pvmm.bench.guest;

import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.GuestMachine;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.Selection;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.guest.GuestRuntime;
import io.pvmm.runtime.guest.SelectedBackend;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A guest booted for a benchmark the way {@code pvmm run} boots one: the backend is found with
 * ServiceLoader ({@link GuestRuntime#discover()}), chosen by configuration ({@code backend},
 * {@code mode}, its {@code <backend>.<key>} settings and the guest's {@code guest.*}), built by the
 * runtime through Guice ({@link SelectedBackend}), and the kernel booted on it. Nothing sits between
 * the model and the backend: no counting decorator, no settings wrapper.
 *
 * <pre>{@code
 * BenchGuest guest = BenchGuest.boot(BackendChoice.parse("xen-eager"), PagingMode.PAE, Map.of("guest.vcpus", "2"));
 * guest.spawnInit(1);
 * }</pre>
 */
public final class BenchGuest {

    /** The image every benchmark process runs: the model's small program. */
    public static final ExecImage INIT_IMAGE = ExecImage.DEFAULT;

    private final GuestKernel kernel;
    private final String backend;

    private BenchGuest(GuestKernel kernel, String backend) {
        this.kernel = kernel;
        this.backend = backend;
    }

    /**
     * Boots a guest on a backend chosen through the runtime.
     *
     * @param choice the backend and its settings
     * @param mode   the paging mode
     * @param guest  extra configuration, e.g. {@code guest.vcpus} or {@code guest.memory-mib}
     * @return the booted guest
     */
    public static BenchGuest boot(BackendChoice choice, PagingMode mode, Map<String, String> guest) {
        return boot(GuestRuntime.discover(), choice, mode, guest);
    }

    /**
     * Boots a guest on a backend chosen through a given runtime (one with extra providers, say).
     *
     * @param runtime the runtime, with the guest's namespaces
     * @param choice  the backend and its settings
     * @param mode    the paging mode
     * @param guest   extra configuration
     * @return the booted guest
     */
    public static BenchGuest boot(PvmmRuntime runtime, BackendChoice choice, PagingMode mode, Map<String, String> guest) {
        Objects.requireNonNull(choice, "choice");
        Map<String, String> values = new LinkedHashMap<>();
        values.put("backend", choice.backend());
        values.put("mode", mode.configName());
        choice.settings().forEach((k, v) -> values.put(choice.backend() + "." + k, v));
        values.putAll(guest);
        Configuration config = runtime.configure(inputs(values));
        Selection selection = runtime.select(config);
        SelectedBackend factory = new SelectedBackend(runtime, selection);
        GuestConfig guestConfig = GuestRuntime.guestConfig(runtime.registry(), config, selection);
        GuestMachine machine = GuestMachine.create(mode, guestConfig, factory.platform(mode));
        ParavirtOps ops = factory.create(machine.backendContext(factory.settings()));
        return new BenchGuest(machine.boot(ops), choice.label());
    }

    private static ConfigInputs inputs(Map<String, String> values) {
        ConfigInputs inputs = ConfigInputs.none(Path.of(System.getProperty("java.io.tmpdir")));
        for (Map.Entry<String, String> e : values.entrySet()) {
            inputs = inputs.withOption(e.getKey(), e.getValue(), "--set");
        }
        return inputs;
    }

    /**
     * Creates init: a kernel thread that execs {@link #INIT_IMAGE} (its stack pages touched), reads
     * a page of its text and writes a page of its data and one of its bss so that fork has pages to copy and protect.
     *
     * @param pid init's id
     */
    public void spawnInit(int pid) {
        Processes p = kernel.processes();
        p.spawnKernelThread(pid);
        require(p.exec(pid, INIT_IMAGE), "exec init");
        long data = ExecImage.TEXT_START + ((long) INIT_IMAGE.textPages() << PagingMode.PAGE_SHIFT);
        require(p.touch(pid, ExecImage.TEXT_START, false), "read init's text");
        require(p.touch(pid, data, true), "write init's data");
        require(p.touch(pid, data + ((long) INIT_IMAGE.dataPages() << PagingMode.PAGE_SHIFT), true), "write init's bss");
    }

    /**
     * Fails loudly when the guest refuses an operation a benchmark relies on.
     *
     * @param outcome the operation's outcome
     * @param what    what was attempted
     */
    public static void require(Processes.Outcome outcome, String what) {
        if (outcome != Processes.Outcome.OK) {
            throw new IllegalStateException(what + ": " + outcome);
        }
    }

    /** @return the booted kernel */
    public GuestKernel kernel() {
        return kernel;
    }

    /** @return the backend's label, e.g. {@code xen-eager} */
    public String backend() {
        return backend;
    }

    /** @return process operations */
    public Processes processes() {
        return kernel.processes();
    }
}
