package io.pvmm.guest;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.GuestMachine;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.observe.CountingOps;
import io.pvmm.guest.kernel.ExecImage;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.mockito.Mockito;

/** Boots guests on the native backend for the model's tests. */
public final class Guests {

    private Guests() {
    }

    /** A booted guest with the counting decorator it ran through. */
    public record Booted(GuestKernel kernel, CountingOps counts) {
    }

    /**
     * Boots a guest on native, counted.
     *
     * @param mode   the paging mode
     * @param config the guest's settings
     * @return the guest
     */
    public static Booted boot(PagingMode mode, GuestConfig config) {
        return boot(mode, config, PlatformRequirements.NONE, Function.identity());
    }

    /**
     * Boots a guest on native under some platform requirements, with the backend wrapped (a Mockito
     * spy, for instance) inside the counting decorator.
     *
     * @param mode     the paging mode
     * @param config   the guest's settings
     * @param platform what the backend requires
     * @param wrap     applied to the native backend
     * @return the guest
     */
    public static Booted boot(PagingMode mode, GuestConfig config, PlatformRequirements platform,
                              Function<ParavirtOps, ParavirtOps> wrap) {
        BackendProvider provider = TestBackends.nativeProvider();
        GuestMachine machine = GuestMachine.create(mode, config, platform);
        ParavirtOps ops = wrap.apply(provider.create(machine.backendContext(BackendSettings.defaults(provider.settings()))));
        CountingOps counting = new CountingOps(ops, config.vcpus(), VcpuThread::currentId);
        return new Booted(machine.boot(counting), counting);
    }

    /** A booted guest whose native backend is a Mockito spy, to verify the hooks it was called with. */
    public record Spied(GuestKernel kernel, ParavirtOps spy) {
    }

    /**
     * Boots a guest on native with the backend wrapped in a Mockito spy.
     *
     * @param mode   the paging mode
     * @param config the guest's settings
     * @return the guest and the spy
     */
    public static Spied spied(PagingMode mode, GuestConfig config) {
        ParavirtOps[] spy = new ParavirtOps[1];
        GuestKernel kernel = boot(mode, config, PlatformRequirements.NONE, o -> spy[0] = Mockito.spy(o)).kernel();
        return new Spied(kernel, spy[0]);
    }

    /**
     * Starts pid 1 as a kernel thread and execs it: the user process most tests fork from.
     *
     * @param kernel a booted guest
     * @return its processes
     */
    public static Processes startInit(GuestKernel kernel) {
        Processes p = kernel.processes();
        p.spawnKernelThread(1);
        if (p.exec(1, ExecImage.DEFAULT) != Outcome.OK) {
            throw new AssertionError("exec of pid 1 failed");
        }
        return p;
    }

    /**
     * The pte that maps {@code va} through {@code root}, as the walk reads it.
     *
     * @param kernel a booted guest
     * @param root   a root's physical address
     * @param va     a virtual address
     * @return the pte's value, or 0 when no pte page covers the address
     */
    public static long pte(GuestKernel kernel, long root, long va) {
        PageTables t = kernel.tables();
        long pmdPa = t.pmdEntryFor(root, va);
        if (pmdPa < 0 || PageTables.pmdNone(t.read(pmdPa))) {
            return 0;
        }
        return t.read(t.pteOffset(t.read(pmdPa), va));
    }

    /**
     * The pte pages a root's user half links, read from its pmd entries: what an exit of the address
     * space must release, each once.
     *
     * @param kernel a booted guest
     * @param root   a root's physical address
     * @return the pte pages' frame numbers
     */
    public static Set<Long> userPtePages(GuestKernel kernel, long root) {
        return ptePages(kernel, root, 0, PagingMode.PAGE_OFFSET);
    }

    /**
     * The pte pages {@code swapper_pg_dir}'s kernel half links (large pages left out), read from its pmd
     * entries.
     *
     * @param kernel a booted guest
     * @return the pte pages' frame numbers
     */
    public static Set<Long> kernelPtePages(GuestKernel kernel) {
        return ptePages(kernel, kernel.layout().swapperPgDir(), PagingMode.PAGE_OFFSET, 1L << 32);
    }

    private static Set<Long> ptePages(GuestKernel kernel, long root, long from, long to) {
        PageTables t = kernel.tables();
        PagingMode mode = kernel.mode();
        Set<Long> pages = new TreeSet<>();
        for (long va = from; va < to; va += mode.pmdSize()) {
            long pmdPa = t.pmdEntryFor(root, va);
            long pmd = pmdPa < 0 ? 0 : t.read(pmdPa);
            if (EntryBits.isPresent(pmd) && (pmd & EntryBits.PSE) == 0) {
                pages.add(mode.entryPfn(pmd));
            }
        }
        return pages;
    }
}
