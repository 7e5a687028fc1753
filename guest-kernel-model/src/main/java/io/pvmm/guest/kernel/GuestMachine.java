package io.pvmm.guest.kernel;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.api.WriteProtection;
import io.pvmm.guest.arch.KernelLayout;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.memory.AllocFailures;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.PageFrames;
import io.pvmm.guest.hw.PhysicalMemory;
import io.pvmm.guest.hw.Apic;
import io.pvmm.guest.hw.Tlbs;
import io.pvmm.guest.mm.Cpus;
import java.util.Objects;

/**
 * The guest's hardware before its kernel boots: RAM, frame metadata, the page allocator, and the
 * layout the kernel will use — everything a backend is given at creation. Build the machine, create
 * the backend with {@link #backendContext}, then {@link #boot} the kernel on it.
 *
 * <pre>{@code
 * GuestMachine machine = GuestMachine.create(PagingMode.PAE, GuestConfig.DEFAULTS, provider.platform(PagingMode.PAE));
 * ParavirtOps ops = provider.create(machine.backendContext(BackendSettings.defaults(provider.settings())));
 * GuestKernel kernel = machine.boot(ops);
 * }</pre>
 */
public final class GuestMachine {

    private final GuestConfig config;
    private final GuestLayout layout;
    private final PhysicalMemory memory;
    private final PageFrames pages;
    private final FreePool pool;
    private final Cpus cpus;
    private final Tlbs tlbs;
    private final Apic apic;

    private GuestMachine(GuestConfig config, GuestLayout layout) {
        this.config = config;
        this.layout = layout;
        this.memory = new PhysicalMemory(layout.mode(), layout.maxPfn());
        this.pages = new PageFrames(layout.maxPfn());
        this.cpus = new Cpus(config.vcpus());
        this.tlbs = new Tlbs(config.vcpus(), config.tlb(), layout.mode(), layout.pge(), VcpuThread::currentId);
        this.apic = new Apic(config.vcpus(), VcpuThread::currentId);
        this.pool = new FreePool(memory, pages, layout.maxLowPfn(), config.vcpus(), VcpuThread::currentId,
                new AllocFailures(config.failAllocAt(), config.failAllocProbability(), config.seed()));
    }

    /**
     * Builds a machine.
     *
     * @param mode     the paging mode
     * @param config   the guest's settings
     * @param platform what the backend requires (overrides {@code guest.pse} and {@code guest.pge}, and
     *                 chooses the kernel when {@code guest.kernel} does not)
     * @return the machine, memory empty; its {@link #config()} names the kernel it will boot
     * @throws IllegalArgumentException if the memory size does not fit the mode
     * @throws io.pvmm.guest.config.KernelNotServed if {@code guest.kernel} is older than the backend serves
     */
    public static GuestMachine create(PagingMode mode, GuestConfig config, PlatformRequirements platform) {
        Objects.requireNonNull(mode, "mode");
        GuestConfig resolved = config.withKernel(config.kernelFor(platform));
        GuestLayout layout = KernelLayout.compute(mode, config.memoryMib(), platform, config.pse(), config.pge());
        return new GuestMachine(resolved, layout);
    }

    /** @return the kernel the guest boots: {@code guest.kernel}, or the oldest the backend serves */
    public KernelVersion kernel() {
        return config.kernel();
    }

    /**
     * What the backend is created with.
     *
     * @param settings the backend's validated settings
     * @return the context
     */
    public BackendContext backendContext(BackendSettings settings) {
        return new BackendContext() {
            @Override
            public GuestLayout layout() {
                return layout;
            }

            @Override
            public GuestMemory memory() {
                return memory;
            }

            @Override
            public BackendSettings settings() {
                return settings;
            }

            @Override
            public WriteProtection writeProtection() {
                return memory.traps();
            }

            @Override
            public int vcpus() {
                return config.vcpus();
            }

            @Override
            public int currentCpu() {
                return VcpuThread.currentId();
            }
        };
    }

    /**
     * Boots the kernel on a backend: builds the kernel's page tables, retires bootmem, creates the
     * page-table caches.
     *
     * @param ops the backend, created from {@link #backendContext}
     * @return the running kernel
     */
    public GuestKernel boot(ParavirtOps ops) {
        GuestKernel kernel = new GuestKernel(this, ops);
        kernel.boot();
        return kernel;
    }

    /** @return the guest's settings */
    public GuestConfig config() {
        return config;
    }

    /** @return the layout */
    public GuestLayout layout() {
        return layout;
    }

    /** @return physical memory */
    public PhysicalMemory memory() {
        return memory;
    }

    /** @return frame metadata */
    public PageFrames pages() {
        return pages;
    }

    /** @return the page allocator */
    public FreePool pool() {
        return pool;
    }

    /** @return the CPUs */
    public Cpus cpus() {
        return cpus;
    }

    /** @return the vCPUs' TLBs */
    public Tlbs tlbs() {
        return tlbs;
    }

    /** @return the vCPUs' local APICs: their IPIs */
    public Apic apic() {
        return apic;
    }
}
