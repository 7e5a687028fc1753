package io.pvmm.guest.kernel;

import io.pvmm.api.GuestLayout;
import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.arch.Fault;
import io.pvmm.guest.arch.Init;
import io.pvmm.guest.arch.KernelLayout;
import io.pvmm.guest.arch.KernelProt;
import io.pvmm.guest.arch.KernelStore;
import io.pvmm.guest.arch.MmuContext;
import io.pvmm.guest.arch.Smp;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.arch.PageAttr;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.arch.PageWalks;
import io.pvmm.guest.arch.Paravirt;
import io.pvmm.guest.arch.PgAlloc;
import io.pvmm.guest.arch.PgTable;
import io.pvmm.guest.bugs.BugSites;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.LinearAccess;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.memory.Bootmem;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.PageFrames;
import io.pvmm.guest.hw.PhysicalMemory;
import io.pvmm.guest.mm.ChangeProtection;
import io.pvmm.guest.mm.CopyPageRange;
import io.pvmm.guest.mm.Cpus;
import io.pvmm.guest.mm.Fork;
import io.pvmm.guest.mm.MmFault;
import io.pvmm.guest.mm.Mmap;
import io.pvmm.guest.mm.PageCache;
import io.pvmm.guest.mm.PteAlloc;
import io.pvmm.guest.mm.Teardown;
import io.pvmm.guest.mm.Vmalloc;

/**
 * A booted guest kernel: the page-table code of {@code arch/i386/mm} and the parts of
 * {@code mm/} and {@code kernel/} that drive it, wired to one backend. Process-level operations live
 * in {@link Processes}; this class owns the pieces and the boot.
 *
 * <p>Every operation runs on the calling thread as the CPU that thread is ({@link Cpus}): run them
 * from {@link VcpuThread}s, or from one other thread while no vCPU thread runs.
 */
public final class GuestKernel {

    private final GuestMachine machine;
    private final GuestConfig config;
    private final GuestLayout layout;
    private final ParavirtOps ops;
    private final BugSites bugs;
    private final Paravirt pv;
    private final PageTables tables;
    private final PageWalks walks;
    private final Smp smp;
    private final MmuContext mmuContext;
    private final KernelStore store;
    private final KernelProt prot;
    private final Bootmem bootmem;
    private final PgTable pgTable;
    private final PgAlloc pgAlloc;
    private final Init init;
    private final PageAttr pageAttr;
    private final Fault fault;
    private final PageCache pageCache;
    private final PteAlloc pteAlloc;
    private final MmFault mmFault;
    private final Mmap mmap;
    private final Fork fork;
    private final Vmalloc vmalloc;
    private final Processes processes;
    private final Signals signals;
    private final LinearAccess access;
    private final GuestClock clock;
    private long bootFreePages = -1;

    GuestKernel(GuestMachine machine, ParavirtOps ops) {
        this.machine = machine;
        this.config = machine.config();
        this.layout = machine.layout();
        this.ops = ops;
        this.bugs = new BugSites(config.bugs());
        PhysicalMemory mem = machine.memory();
        PageFrames pages = machine.pages();
        FreePool pool = machine.pool();
        mem.traps().attach(ops, VcpuThread::currentId); // trapped stores go to the backend as the guest sees it
        this.pv = new Paravirt(ops, mem, machine.tlbs(), config.kernel() == null ? KernelVersion.OLDEST : config.kernel());
        this.tables = new PageTables(layout.mode(), mem, pv);
        this.walks = new PageWalks(config.vcpus(), VcpuThread::currentId);
        this.smp = new Smp(pv, machine.cpus(), machine.apic(), layout.swapperPgDir(), layout.pge());
        this.mmuContext = new MmuContext(pv, machine.cpus(), layout.swapperPgDir());
        this.store = new KernelStore(mem, tables, pv, layout, walks);
        this.prot = new KernelProt(layout.pge());
        this.bootmem = new Bootmem(mem, pages, KernelLayout.IMAGE_END >>> PagingMode.PAGE_SHIFT, layout.maxLowPfn());
        this.pgTable = new PgTable(layout, mem, pool, pages, pv, tables, store, config, bugs);
        this.pgAlloc = new PgAlloc(pv, tables, store, pool, pages, bugs);
        this.init = new Init(layout, pages, bootmem, pv, tables, prot);
        this.pageAttr = new PageAttr(layout, pool, pages, pv, tables, pgTable, prot, walks, smp);
        this.pageCache = new PageCache(pool, pages);
        this.pteAlloc = new PteAlloc(tables, pgTable, pgAlloc);
        this.mmFault = new MmFault(pv, tables, store, pteAlloc, pool, pages, pageCache, smp);
        this.signals = new Signals(config.vcpus());
        this.fault = new Fault(layout, pv, tables, pgTable, mmFault, machine.cpus(), signals);
        Teardown teardown = new Teardown(layout.mode(), pv, tables, store, pgAlloc, pages, machine.cpus(), bugs);
        ChangeProtection changeProtection = new ChangeProtection(layout.mode(), pv, tables, store, machine.cpus(), smp);
        this.mmap = new Mmap(pv, teardown, changeProtection, pool, pages, machine.cpus(), smp, bugs);
        CopyPageRange copyPageRange = new CopyPageRange(layout.mode(), pv, tables, store, pteAlloc, pages, machine.cpus(), bugs);
        this.fork = new Fork(pv, pgTable, copyPageRange, mmap, smp);
        this.access = new LinearAccess(layout.mode(), mmu(), machine.tlbs(), mem, ops);
        this.vmalloc = new Vmalloc(layout, pv, tables, store, pteAlloc, pool, fault, prot, access, smp);
        this.processes = new Processes(this);
        this.clock = new GuestClock(config.vcpus());
    }

    /** {@code start_kernel}, as far as memory goes: {@code paging_init}, {@code mem_init}, {@code pgtable_cache_init}. */
    void boot() {
        init.pagingInit();
        bootmem.retire(machine.pool(), layout.maxPfn());
        pgTable.pgtableCacheInit();
        bootFreePages = machine.pool().freePages();
    }

    /**
     * Ends the guest cleanly: every task exits, vmalloc areas are freed, the page cache is dropped,
     * every CPU goes idle on {@code init_mm}, and the page-table caches are shrunk — what remains is
     * the kernel's own page tables.
     */
    public void shutdown() {
        processes.exitAll();
        for (long area : vmalloc.areas().keySet()) {
            vmalloc.vfree(area);
        }
        pageAttr.globalFlushTlb();
        pageCache.drop();
        processes.idle();
        pgTable.shrinkCaches();
    }

    /** @return the guest bugs this kernel commits, with the hits of their sites */
    public BugSites bugSites() {
        return bugs;
    }

    /** @return the direct-map walks in flight on each vCPU, which {@code global_flush_tlb} waits out */
    public PageWalks pageWalks() {
        return walks;
    }

    /** @return the guest's time, per vCPU, which the workload advances */
    public GuestClock clock() {
        return clock;
    }

    /**
     * The calling vCPU's guest time passes: when its reap timer expires, {@code cache_reap} runs on it
     * (for the page-table caches, the only slab caches the model has).
     *
     * @param nanos guest nanoseconds spent by the operation just done
     */
    public void spend(long nanos) {
        int cpu = VcpuThread.currentId();
        if (clock.advance(cpu, nanos)) {
            pgTable.cacheReap(clock.jiffies(cpu));
        }
    }

    /** @return {@code smp.c}'s TLB flushes and IPIs ({@code flush_tlb_mm}, {@code flush_tlb_all}, {@code on_each_cpu}) */
    public Smp smp() {
        return smp;
    }

    /** @return {@code switch_mm} and {@code enter_lazy_tlb} */
    public MmuContext mmuContext() {
        return mmuContext;
    }

    /** @return process-level operations: fork, exec, mmap, faults, exit, ... */
    public Processes processes() {
        return processes;
    }

    /** @return the guest's settings */
    public GuestConfig config() {
        return config;
    }

    /** @return the layout */
    public GuestLayout layout() {
        return layout;
    }

    /** @return the paging mode */
    public PagingMode mode() {
        return layout.mode();
    }

    /** @return the backend */
    public ParavirtOps ops() {
        return ops;
    }

    /** @return the machine */
    public GuestMachine machine() {
        return machine;
    }

    /** @return physical memory */
    public PhysicalMemory physicalMemory() {
        return machine.memory();
    }

    /** @return the page allocator */
    public FreePool pool() {
        return machine.pool();
    }

    /** @return frame metadata */
    public PageFrames pages() {
        return machine.pages();
    }

    /** @return the CPUs */
    public Cpus cpus() {
        return machine.cpus();
    }

    /** @return {@code pgtable.c} */
    public PgTable pgTable() {
        return pgTable;
    }

    /** @return {@code pageattr.c} */
    public PageAttr pageAttr() {
        return pageAttr;
    }

    /** @return {@code signal.c}: a fault's {@code SIGSEGV}, its frame on the user stack, {@code sigreturn} */
    public Signals signals() {
        return signals;
    }

    /** @return {@code fault.c}: {@code do_page_fault}, the vmalloc synchronisation */
    public Fault fault() {
        return fault;
    }

    /** @return {@code vmalloc.c} */
    public Vmalloc vmalloc() {
        return vmalloc;
    }

    /** @return page-table accessors */
    public PageTables tables() {
        return tables;
    }

    /** @return the kernel's protections */
    public KernelProt prot() {
        return prot;
    }

    /** @return free pages right after boot, the baseline a clean shutdown returns to */
    public long bootFreePages() {
        return bootFreePages;
    }

    /** @return kernel pte pages added since boot (vmalloc); the kernel never frees them */
    public long kernelPtePages() {
        return pteAlloc.kernelPtePages();
    }

    /** @return bootmem (how many frames boot used) */
    public Bootmem bootmem() {
        return bootmem;
    }

    /**
     * A hardware walker over this guest, reading entries in guest form ({@code pte_val}).
     *
     * @return the walker
     */
    public Mmu mmu() {
        return new Mmu(machine.memory(), layout.mode(), pv::entryValue, layout.pse());
    }

    /** @return the vCPUs' access path to linear addresses: TLB, walk, accessed and dirty bits */
    public LinearAccess access() {
        return access;
    }

    Paravirt pv() {
        return pv;
    }

    MmFault mmFault() {
        return mmFault;
    }

    PteAlloc pteAlloc() {
        return pteAlloc;
    }

    Mmap mmap() {
        return mmap;
    }

    Fork fork() {
        return fork;
    }
}
