package io.pvmm.guest.arch;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.memory.KernelOops;
import java.util.BitSet;

/**
 * The kernel-mapping half of {@code arch/i386/mm/fault.c}: keeping the kernel entries of every root in
 * step with {@code swapper_pg_dir} where the kernel pmd is not shared. A vmalloc fault copies the one
 * missing entry into the faulting root ({@code vmalloc_sync_one}); {@code vmalloc_sync_all} copies
 * every missing one into every root on {@code pgd_list}, under {@code pgd_lock}, remembering which
 * slots are in sync. With a shared PAE kernel pmd there is nothing to do ("vmalloc faults work because
 * attached pagetables are never freed").
 */
public final class Fault {

    private final PagingMode mode;
    private final GuestLayout layout;
    private final Paravirt pv;
    private final PageTables tables;
    private final PgTable pgTable;
    private final BitSet insync = new BitSet();

    /**
     * Creates the fault code.
     *
     * @param layout  the guest's layout
     * @param pv      paravirt wrappers
     * @param tables  page-table accessors
     * @param pgTable {@code pgd_list} and {@code pgd_lock}
     */
    public Fault(GuestLayout layout, Paravirt pv, PageTables tables, PgTable pgTable) {
        this.mode = layout.mode();
        this.layout = layout;
        this.pv = pv;
        this.tables = tables;
        this.pgTable = pgTable;
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
