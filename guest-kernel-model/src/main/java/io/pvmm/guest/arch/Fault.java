package io.pvmm.guest.arch;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.hw.PageFaultHandler;
import io.pvmm.guest.kernel.Signals;
import io.pvmm.guest.memory.KernelOops;
import io.pvmm.guest.mm.Cpus;
import io.pvmm.guest.mm.MmFault;
import io.pvmm.guest.mm.MmStruct;
import io.pvmm.guest.mm.Vma;
import java.util.BitSet;

/**
 * {@code arch/i386/mm/fault.c}. {@code do_page_fault} is the kernel's handler of the page faults the
 * hardware raises ({@link PageFaultHandler}): a fault on a user address, or any fault of a user-mode
 * access, goes to {@code handle_mm_fault}; a kernel access to a kernel address may be a vmalloc fault,
 * and is otherwise an oops. The kernel-mapping half keeps the kernel entries of every root in
 * step with {@code swapper_pg_dir} where the kernel pmd is not shared. A vmalloc fault copies the one
 * missing entry into the faulting root ({@code vmalloc_sync_one}); {@code vmalloc_sync_all} copies
 * every missing one into every root on {@code pgd_list}, under {@code pgd_lock}, remembering which
 * slots are in sync. With a shared PAE kernel pmd there is nothing to do ("vmalloc faults work because
 * attached pagetables are never freed").
 */
public final class Fault implements PageFaultHandler {

    /** {@code do_page_fault}'s answer when {@code handle_mm_fault} ran out of memory: the task is killed. */
    public static final int VM_FAULT_OOM = -1;
    /** {@code do_page_fault}'s answer when no vma allows the access: {@code SIGSEGV} kills the task. */
    public static final int SIGSEGV = -2;
    /** {@code SEGV_MAPERR}: no vma maps the address. */
    public static final int SEGV_MAPERR = 1;
    /** {@code SEGV_ACCERR}: the vma does not allow the access. */
    public static final int SEGV_ACCERR = 2;
    /** Faults of one access after which the model calls the fault unfixable rather than loop. */
    private static final int MAX_FAULTS = 64;

    private final PagingMode mode;
    private final GuestLayout layout;
    private final Paravirt pv;
    private final PageTables tables;
    private final PgTable pgTable;
    private final MmFault mmFault;
    private final Cpus cpus;
    private final Signals signals;
    private final BitSet insync = new BitSet();

    /**
     * Creates the fault code.
     *
     * @param layout  the guest's layout
     * @param pv      paravirt wrappers
     * @param tables  page-table accessors
     * @param pgTable {@code pgd_list} and {@code pgd_lock}
     * @param mmFault {@code handle_mm_fault}
     * @param cpus    the CPUs (the faulting task's address space is the one loaded)
     * @param signals where {@code bad_area} sends the faulting task its {@code SIGSEGV}
     */
    public Fault(GuestLayout layout, Paravirt pv, PageTables tables, PgTable pgTable, MmFault mmFault, Cpus cpus,
                 Signals signals) {
        this.mode = layout.mode();
        this.layout = layout;
        this.pv = pv;
        this.tables = tables;
        this.pgTable = pgTable;
        this.mmFault = mmFault;
        this.cpus = cpus;
        this.signals = signals;
    }

    /**
     * {@code do_page_fault}: a kernel access to a kernel address is a vmalloc fault or an oops
     * ("unable to handle kernel paging request"); any other fault is the current task's, handled by
     * {@code handle_mm_fault} in the address space loaded on this CPU, whose caller holds
     * {@code mmap_sem}, once {@code find_vma} found the vma and {@code good_area} checked that it allows
     * the access; otherwise {@code bad_area} ({@link #SIGSEGV}). A fault {@code handle_mm_fault} cannot
     * fix is {@link #VM_FAULT_OOM} or {@link #SIGSEGV}.
     *
     * @throws KernelOops for a kernel fault it cannot fix, or an access that keeps faulting
     */
    @Override
    public int pageFault(long cr3, long address, Mmu.Access access, int attempt) {
        if (!access.user() && address >= PagingMode.PAGE_OFFSET) {
            if (attempt == 0 && vmallocFault(cr3, address)) {
                return RETRY;
            }
            throw new KernelOops(String.format("unable to handle kernel paging request at 0x%08x", address));
        }
        if (attempt == MAX_FAULTS) {
            throw new KernelOops(String.format("page fault at 0x%08x handled %d times and still not mapped",
                    address, attempt));
        }
        MmStruct mm = cpus.current().activeMm();
        Vma vma = mm.findVma(address); // find_vma; the model's vmas do not grow down
        if (vma == null) {
            return badArea(address, access, SEGV_MAPERR);
        }
        if (!goodArea(vma, access)) {
            return badArea(address, access, SEGV_ACCERR);
        }
        switch (mmFault.handleMmFault(mm, address & 0xFFFF_F000L, access.write())) {
            case MINOR:
                return RETRY;
            case OOM:
                return VM_FAULT_OOM;
            default:
                return badArea(address, access, SEGV_ACCERR);
        }
    }

    /**
     * {@code good_area}: a write needs {@code VM_WRITE}; a read that did not find the page present needs
     * any of {@code VM_READ}, {@code VM_EXEC}, {@code VM_WRITE}. (A read of a present page is a
     * protection fault the model's user pages never raise.)
     */
    private static boolean goodArea(Vma vma, Mmu.Access access) {
        int flags = vma.flags();
        return access.write() ? (flags & Vma.WRITE) != 0 : (flags & (Vma.READ | Vma.EXEC | Vma.WRITE)) != 0;
    }

    /**
     * {@code bad_area} and {@code bad_area_nosemaphore}: {@code mmap_sem} is dropped (by the caller, in
     * the model) and a user-mode access sends the current task {@code SIGSEGV}
     * ({@code force_sig_info_fault}), delivered when it returns to user mode ({@link Signals}). A kernel
     * access to a user address ends in {@code no_context}, where {@code fixup_exception} makes the user
     * copy fail with {@code -EFAULT}.
     *
     * @return {@link #SIGSEGV}
     */
    private int badArea(long address, Mmu.Access access, int siCode) {
        if (access.user()) {
            signals.forceSigInfoFault(siCode, address);
        }
        return SIGSEGV;
    }

    /**
     * {@code vmalloc_sync_one(pgd, address)}: if the kernel maps {@code address}'s pmd and the root
     * does not, copy the kernel's pmd entry ({@code set_pmd(pmd, *pmd_k)}).
     *
     * @param pgd     a root
     * @param address a kernel address
     * @return the kernel's pmd entry address, or -1 if the kernel does not map the address either
     */
    public long vmallocSyncOne(long pgd, long address) {
        long pmdK = tables.pmdEntryFor(layout.swapperPgDir(), address);
        if (pmdK < 0) {
            return -1;
        }
        long pmd = tables.pmdEntryFor(pgd, address);
        if (pmd < 0) {
            return -1;
        }
        long kernel = tables.read(pmdK);
        if (!EntryBits.isPresent(kernel)) {
            return -1;
        }
        long mine = tables.read(pmd);
        if (!EntryBits.isPresent(mine)) {
            pv.setPmd(pmd, tables.readRaw(pmdK));
        } else if (tables.pfn(mine) != tables.pfn(kernel)) {
            throw new KernelOops(String.format("vmalloc_sync_one: root 0x%x maps 0x%08x to frame 0x%x, the kernel to 0x%x",
                    pgd, address, tables.pfn(mine), tables.pfn(kernel)));
        }
        return pmdK;
    }

    /**
     * {@code vmalloc_sync_all}: every kernel pmd slot from {@code VMALLOC_START} up that is not yet in
     * sync is copied into every root on {@code pgd_list}.
     */
    public void vmallocSyncAll() {
        if (layout.sharedKernelPmd()) {
            return;
        }
        long step = mode.pmdSize();
        for (long address = layout.vmallocStart() & ~(step - 1); address < layout.fixaddrTop(); address += step) {
            int slot = (int) (address >>> mode.pmdShift());
            if (insync.get(slot)) {
                continue;
            }
            boolean synced = true;
            pgTable.pgdLock().lock();
            try {
                boolean first = true;
                for (long root : pgTable.pgdListLocked()) {
                    if (!pgTable.walkable(root)) {
                        continue;
                    }
                    if (vmallocSyncOne(root, address) < 0) {
                        if (!first) {
                            throw new KernelOops("vmalloc_sync_all: slot synced for some roots only");
                        }
                        synced = false;
                        break;
                    }
                    first = false;
                }
            } finally {
                pgTable.pgdLock().unlock();
            }
            if (synced) {
                insync.set(slot);
            }
        }
    }

    /**
     * {@code vmalloc_fault}: a kernel access to a vmalloc address through a root that lacks its pmd.
     *
     * @param pgd     the root the access went through
     * @param address the vmalloc address
     * @return whether the address is now mapped through the root
     */
    public boolean vmallocFault(long pgd, long address) {
        if (address < layout.vmallocStart() || address >= layout.vmallocEnd()) {
            return false;
        }
        long pmdK = vmallocSyncOne(pgd, address);
        if (pmdK < 0) {
            return false;
        }
        long pte = tables.read(tables.pteOffset(tables.read(pmdK), address));
        return EntryBits.isPresent(pte);
    }
}
