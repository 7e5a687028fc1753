package io.pvmm.guest.arch;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.hw.PhysicalMemory;

/**
 * The page-table accessors of {@code pgtable.h}, {@code pgtable-2level.h} and
 * {@code pgtable-3level.h}: where an entry lives ({@code pgd_offset}, {@code pmd_offset},
 * {@code pte_offset_kernel}), what it says ({@code pmd_none}, {@code pmd_large}, ...), and how an
 * entry is made ({@code pfn_pte}). Entries are read through {@code pte_val} and made through
 * {@code make_pte}, so a backend that stores machine frames is transparent to the rest of the model.
 *
 * <p>In 2-level mode the pmd is folded: {@link #pmdOffset} returns the pgd entry itself.
 */
public final class PageTables {

    private final PagingMode mode;
    private final PhysicalMemory memory;
    private final Paravirt pv;
    private final int entryBytes;
    private final long supportedPteMask;

    /**
     * Creates the accessors.
     *
     * @param mode   the paging mode
     * @param memory the guest's memory
     * @param pv     the paravirt wrappers ({@code make_pte}, {@code pte_val})
     */
    public PageTables(PagingMode mode, PhysicalMemory memory, Paravirt pv) {
        this.mode = mode;
        this.memory = memory;
        this.pv = pv;
        this.entryBytes = mode.entryBytes();
        // __supported_pte_mask: NX only where it exists (PAE with EFER.NXE)
        this.supportedPteMask = mode == PagingMode.PAE ? ~0L : ~EntryBits.NX;
    }

    /** @return the paging mode */
    public PagingMode mode() {
        return mode;
    }

    /**
     * Reads an entry as the guest sees it ({@code pte_val(*ptep)}).
     *
     * @param entryPa entry address
     * @return the entry with a guest frame number
     */
    public long read(long entryPa) {
        return pv.entryValue(memory.readEntry(entryPa));
    }

    /**
     * Reads an entry as stored, without translation (for {@code clone_pgd_range}'s memcpy).
     *
     * @param entryPa entry address
     * @return the raw value
     */
    public long readRaw(long entryPa) {
        return memory.readEntry(entryPa);
    }

    /**
     * {@code pfn_pte(pfn, prot)} then {@code make_pte}: the value to store for a mapping.
     *
     * @param pfn   a frame
     * @param flags protection bits; NX is dropped where unsupported
     * @return the value to store
     */
    public long makeEntry(long pfn, long flags) {
        return pv.makeEntry(mode.makeEntry(pfn, flags & supportedPteMask));
    }

    /**
     * Turns a guest-form entry into the value to store ({@code make_pte} alone).
     *
     * @param value an entry with a guest frame number
     * @return the value to store
     */
    public long make(long value) {
        return pv.makeEntry(value & supportedPteMask);
    }

    /**
     * {@code pgd_offset(mm, address)}.
     *
     * @param pgdPa   the root
     * @param address a virtual address
     * @return the address of the root entry mapping it
     */
    public long pgdOffset(long pgdPa, long address) {
        return pgdPa + (long) mode.pgdIndex(address) * entryBytes;
    }

    /**
     * {@code pmd_offset(pud_offset(pgd, address), address)}. The pgd entry must be present in PAE mode.
     *
     * @param pgdEntryPa the root entry
     * @param address    a virtual address
     * @return the address of the pmd entry mapping it (the pgd entry itself in 2-level mode)
     */
    public long pmdOffset(long pgdEntryPa, long address) {
        if (mode.pmdFolded()) {
            return pgdEntryPa;
        }
        long pgd = read(pgdEntryPa);
        return (pgd & mode.frameMask()) + (long) mode.pmdIndex(address) * entryBytes;
    }

    /**
     * {@code pte_offset_kernel(pmd, address)}: the pte within the page a present pmd entry links.
     *
     * @param pmdEntry the pmd entry's value
     * @param address  a virtual address
     * @return the address of the pte
     */
    public long pteOffset(long pmdEntry, long address) {
        return (pmdEntry & mode.frameMask()) + (long) mode.pteIndex(address) * entryBytes;
    }

    /**
     * The pmd entry for an address under a root, or -1 if the PAE root entry is not present.
     *
     * @param pgdPa   the root
     * @param address a virtual address
     * @return the pmd entry's address, or -1
     */
    public long pmdEntryFor(long pgdPa, long address) {
        long pgdEntry = pgdOffset(pgdPa, address);
        if (mode.pmdFolded()) {
            return pgdEntry;
        }
        long pgd = read(pgdEntry); // once: tested, then followed (pmd_offset)
        if (!EntryBits.isPresent(pgd)) {
            return -1;
        }
        return (pgd & mode.frameMask()) + (long) mode.pmdIndex(address) * entryBytes;
    }

    /**
     * {@code pmd_none}.
     *
     * @param pmd a pmd entry's value
     * @return whether it is empty
     */
    public static boolean pmdNone(long pmd) {
        return pmd == 0;
    }

    /**
     * {@code pte_none}.
     *
     * @param pte a pte's value
     * @return whether it is empty
     */
    public static boolean pteNone(long pte) {
        return pte == 0;
    }

    /**
     * {@code pte_present}: {@code pte & (_PAGE_PRESENT | _PAGE_PROTNONE)}. A {@code PROT_NONE} pte is
     * not present to the hardware but still maps its page: every loop that decides whether a pte holds
     * a page (fault, fork's copy, mprotect, zap) asks this, not the hardware bit.
     *
     * @param pte a pte's value
     * @return whether the pte maps a page
     */
    public static boolean ptePresent(long pte) {
        return (pte & (EntryBits.PRESENT | EntryBits.PROTNONE)) != 0;
    }

    /**
     * The frame an entry points to ({@code pte_pfn}, {@code pmd_page}).
     *
     * @param entry an entry's value
     * @return the frame
     */
    public long pfn(long entry) {
        return mode.entryPfn(entry);
    }

    /**
     * The size of one entry.
     *
     * @return 4 or 8
     */
    public int entryBytes() {
        return entryBytes;
    }

    /**
     * The physical address of entry {@code index} of frame {@code pfn}.
     *
     * @param pfn   a frame
     * @param index an entry index
     * @return its physical address
     */
    public long entryAddress(long pfn, int index) {
        return (pfn << PagingMode.PAGE_SHIFT) + (long) index * entryBytes;
    }
}
