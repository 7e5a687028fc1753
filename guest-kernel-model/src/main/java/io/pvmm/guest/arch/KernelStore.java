package io.pvmm.guest.arch;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.memory.KernelOops;
import io.pvmm.guest.hw.PhysicalMemory;

/**
 * The kernel's own stores to page-table memory that do not go through a paravirt write: the
 * {@code memset} and {@code clone_pgd_range} of {@code pgd_ctor}, the atomic read-modify-writes of
 * {@code ptep_set_wrprotect} and {@code ptep_get_and_clear}, and a guest bug's stray store. Such a
 * store is an ordinary instruction through the direct map, so the MMU checks the direct-map entry of
 * the target frame first: if a hypervisor has made it read-only (Xen, for page tables), the store
 * faults, and the backend may emulate it ({@link Paravirt#writeFault}); if it does not, the kernel
 * oopses with a {@link KernelOops}. Once stored, the store is checked against the hardware's write
 * protection ({@link io.pvmm.guest.hw.StoreTraps}) and traps to a backend that protected the frame:
 * a single store as an entry store, {@link #clear} and {@link #copy} word by word as a block operation.
 */
public final class KernelStore {

    private final PagingMode mode;
    private final PhysicalMemory memory;
    private final PageTables tables;
    private final Paravirt pv;
    private final GuestLayout layout;
    private final PageWalks walks;

    /**
     * Creates the store path.
     *
     * @param memory the guest's memory
     * @param tables page-table accessors
     * @param pv     the paravirt wrappers (for the write fault)
     * @param layout the guest's layout (where the direct map is)
     * @param walks  the walks in flight, which {@code global_flush_tlb} waits for
     */
    public KernelStore(PhysicalMemory memory, PageTables tables, Paravirt pv, GuestLayout layout, PageWalks walks) {
        this.mode = layout.mode();
        this.memory = memory;
        this.tables = tables;
        this.pv = pv;
        this.layout = layout;
        this.walks = walks;
    }

    /**
     * Stores one entry, as {@code *ptep = value} or an {@code xchg} would.
     *
     * @param pa    the entry's physical address
     * @param value the raw value to store
     * @throws KernelOops if the direct map forbids the store and no backend emulates it
     */
    public void store(long pa, long value) {
        store(pa, value, writable(pa >>> PagingMode.PAGE_SHIFT));
    }

    /**
     * Stores one entry of a frame whose direct-map permission the caller has already looked up with
     * {@link #writable}: for the loops that store many entries of one pte page under its pte lock
     * (zap, fork's copy, mprotect), where that permission cannot change, one walk of
     * {@code swapper_pg_dir} per page rather than per store.
     *
     * @param pa     the entry's physical address
     * @param value  the raw value to store
     * @param direct {@link #writable} of the entry's frame
     * @throws KernelOops if {@code direct} is false and no backend emulates the store
     */
    public void store(long pa, long value, boolean direct) {
        put(pa, value, direct);
        memory.traps().entryStored(pa, value);
    }

    private void put(long pa, long value, boolean direct) {
        if (direct) {
            memory.writeEntry(pa, value);
        } else if (!pv.writeFault(pa, value)) {
            throw new KernelOops(String.format("unable to handle kernel paging request: write to read-only page at"
                    + " virtual address 0x%08x (physical 0x%x)", layout.directMapAddress(0) + pa, pa));
        }
    }

    /**
     * {@code memset(p, 0, count * sizeof(entry))} over entries of one frame.
     *
     * @param pa    first entry
     * @param count number of entries
     */
    public void clear(long pa, int count) {
        boolean direct = writable(pa >>> PagingMode.PAGE_SHIFT); // one frame: one direct-map check
        for (int i = 0; i < count; i++) {
            long at = pa + (long) i * mode.entryBytes();
            put(at, 0, direct);
            memory.traps().blockStored(at, 0);
        }
    }

    /**
     * {@code memcpy} of {@code count} raw entries ({@code clone_pgd_range}).
     *
     * @param fromPa first source entry
     * @param toPa   first destination entry
     * @param count  number of entries
     */
    public void copy(long fromPa, long toPa, int count) {
        boolean direct = writable(toPa >>> PagingMode.PAGE_SHIFT);
        for (int i = 0; i < count; i++) {
            long off = (long) i * mode.entryBytes();
            long value = memory.readEntry(fromPa + off);
            put(toPa + off, value, direct);
            memory.traps().blockStored(toPa + off, value);
        }
    }

    /**
     * {@code copy_user_highpage(to, from)}: the copy of a copy-on-write break, through kmap. The model
     * keeps no data in user pages, so only a destination a backend protects sees stores.
     *
     * @param to   the new page
     * @param from the page copied
     */
    public void copyUserHighpage(long to, long from) {
        memory.traps().copyPage(to, from);
    }

    /**
     * Whether the direct map lets the kernel write a frame: the RW bit of the entry that maps
     * {@code __va(pfn << PAGE_SHIFT)} under {@code swapper_pg_dir}, a large-page pmd or a pte.
     * Highmem is not in the direct map (it is reached through kmap, always writable here).
     *
     * @param pfn a frame
     * @return whether a kernel store to it goes through
     */
    public boolean writable(long pfn) {
        if (pfn >= layout.maxLowPfn()) {
            return true;
        }
        long va = layout.directMapAddress(pfn);
        walks.begin(); // one instruction's walk: no flush IPI is taken, no pte page freed, until it ends
        try {
            return walkDirectMap(va);
        } finally {
            walks.end();
        }
    }

    private boolean walkDirectMap(long va) {
        long pmdPa = tables.pmdEntryFor(layout.swapperPgDir(), va);
        if (pmdPa < 0) {
            throw new KernelOops(String.format("direct map has no pmd for 0x%08x", va));
        }
        long pmd = tables.read(pmdPa);
        if (!EntryBits.isPresent(pmd)) {
            throw new KernelOops(String.format("unable to handle kernel paging request at 0x%08x: pmd not present", va));
        }
        if (layout.pse() && EntryBits.isLarge(pmd)) {
            return EntryBits.isWritable(pmd);
        }
        long pte = tables.read(tables.pteOffset(pmd, va));
        if (!EntryBits.isPresent(pte)) {
            throw new KernelOops(String.format("unable to handle kernel paging request at 0x%08x: pte not present", va));
        }
        return EntryBits.isWritable(pte);
    }
}
