package io.pvmm.backend.shadow;

import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.GuestMachine;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.mm.Vma;
import java.util.Map;

/** The real guest model booted on the shadow backend, with init running, for the rule tests. */
final class ShadowGuest {

    /** Where the tests map their heap. */
    static final long HEAP = 0x0800_0000L;

    final PagingMode mode;
    final GuestKernel kernel;
    final ShadowOps ops;
    final Processes p;
    final P2m p2m;

    ShadowGuest(PagingMode mode, Map<String, String> settings) {
        this(mode, settings, 1);
    }

    ShadowGuest(PagingMode mode, Map<String, String> settings, int vcpus) {
        this.mode = mode;
        ShadowProvider provider = new ShadowProvider();
        GuestMachine machine = GuestMachine.create(mode, GuestConfig.DEFAULTS.withVcpus(vcpus), provider.platform(mode));
        BackendSettings s = BackendSettings.of(provider.settings(), settings);
        this.ops = (ShadowOps) provider.create(machine.backendContext(s));
        this.kernel = machine.boot(ops);
        this.p = kernel.processes();
        p.spawnKernelThread(1);
        if (p.exec(1, ExecImage.DEFAULT) != Processes.Outcome.OK) {
            throw new AssertionError("exec of init failed");
        }
        if (p.mmap(1, HEAP, 1 << 20, Vma.READ | Vma.WRITE, 0, 0) != HEAP) {
            throw new AssertionError("mmap of the heap failed");
        }
        this.p2m = new P2m(mode, machine.memory().frames(), s.getLong(ShadowProvider.P2M_SEED));
    }

    ShadowPager pager() {
        return ops.pager();
    }

    long counter(String name) {
        Long v = ops.counters().get(name);
        if (v == null) {
            throw new AssertionError("no counter " + name);
        }
        return v;
    }

    long root(int pid) {
        return p.task(pid).mm().pgd();
    }

    /** @return the pte page that maps {@code va} through a root */
    long ptePage(long root, long va) {
        var t = kernel.tables();
        return t.pfn(t.read(t.pmdEntryFor(root, va)));
    }

    /** @return the guest's pte for {@code va} through a root */
    long pte(long root, long va) {
        var t = kernel.tables();
        return t.read(t.pteOffset(t.read(t.pmdEntryFor(root, va)), va));
    }

    /**
     * Runs {@code body} on a vCPU thread and waits for it, so that what it does is that vCPU's.
     *
     * @param cpu  the vCPU
     * @param body what it runs
     */
    void onVcpu(int cpu, Runnable body) {
        Throwable[] failed = new Throwable[1];
        VcpuThread t = new VcpuThread(cpu, "vcpu-" + cpu, () -> {
            try {
                body.run();
            } catch (Throwable e) {
                failed[0] = e;
            }
        });
        t.start();
        try {
            t.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for vcpu-" + cpu, e);
        }
        if (t.isAlive()) {
            throw new AssertionError("vcpu-" + cpu + " did not finish within 60 s");
        }
        if (failed[0] instanceof AssertionError a) {
            throw a;
        }
        if (failed[0] != null) {
            throw new AssertionError("vcpu-" + cpu + " failed", failed[0]);
        }
    }

    boolean isProtected(long pfn) {
        return kernel.physicalMemory().traps().isProtected(pfn);
    }
}
