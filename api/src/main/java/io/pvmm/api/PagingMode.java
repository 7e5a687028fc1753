package io.pvmm.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The two i386 paging modes, with the kernel's constants for each ({@code pgtable-2level-defs.h},
 * {@code pgtable-3level-defs.h}, {@code pgtable.h}; Linux 2.6.21, 3G/1G split).
 *
 * <table>
 *   <caption>Constants per mode</caption>
 *   <tr><th>constant</th><th>{@link #TWO_LEVEL}</th><th>{@link #PAE}</th></tr>
 *   <tr><td>{@code PGDIR_SHIFT}</td><td>22</td><td>30</td></tr>
 *   <tr><td>{@code PMD_SHIFT}</td><td>22 (folded)</td><td>21</td></tr>
 *   <tr><td>{@code PTRS_PER_PGD}</td><td>1024</td><td>4</td></tr>
 *   <tr><td>{@code PTRS_PER_PMD}</td><td>1 (folded)</td><td>512</td></tr>
 *   <tr><td>{@code PTRS_PER_PTE}</td><td>1024</td><td>512</td></tr>
 *   <tr><td>entry size</td><td>4 bytes</td><td>8 bytes</td></tr>
 *   <tr><td>{@code USER_PTRS_PER_PGD}</td><td>768</td><td>3</td></tr>
 *   <tr><td>{@code KERNEL_PGD_PTRS}</td><td>256</td><td>1</td></tr>
 *   <tr><td>large page</td><td>4 MiB</td><td>2 MiB</td></tr>
 * </table>
 *
 * <p>In 2-level mode the pmd is folded into the pgd: a "pmd entry" is the pgd entry itself, so
 * {@code set_pmd} writes the root. In PAE mode the root (the PDPT) holds 4 entries of 8 bytes.
 */
public enum PagingMode {

    /** Non-PAE paging: 32-bit entries, two levels, 4 GiB of physical address space. */
    TWO_LEVEL("two-level", 22, 22, 1024, 1, 1024, 4, 0x00000000FFFFF000L),

    /** PAE paging: 64-bit entries with NX at bit 63, three levels, 36-bit physical addresses. */
    PAE("pae", 30, 21, 4, 512, 512, 8, 0x0000000FFFFFF000L);

    /** {@code PAGE_SHIFT}: 4 KiB pages. */
    public static final int PAGE_SHIFT = 12;
    /** {@code PAGE_SIZE}. */
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    /** {@code PAGE_OFFSET} = {@code TASK_SIZE}: the 3G/1G split ({@code CONFIG_VMSPLIT_3G}). */
    public static final long PAGE_OFFSET = 0xC0000000L;

    private final String configName;
    private final int pgdirShift;
    private final int pmdShift;
    private final int ptrsPerPgd;
    private final int ptrsPerPmd;
    private final int ptrsPerPte;
    private final int entryBytes;
    private final long frameMask;

    PagingMode(String configName, int pgdirShift, int pmdShift, int ptrsPerPgd, int ptrsPerPmd,
               int ptrsPerPte, int entryBytes, long frameMask) {
        this.configName = configName;
        this.pgdirShift = pgdirShift;
        this.pmdShift = pmdShift;
        this.ptrsPerPgd = ptrsPerPgd;
        this.ptrsPerPmd = ptrsPerPmd;
        this.ptrsPerPte = ptrsPerPte;
        this.entryBytes = entryBytes;
        this.frameMask = frameMask;
    }

    /**
     * The name used in configuration and reports: {@code two-level} or {@code pae}.
     *
     * @return the configuration name
     */
    public String configName() {
        return configName;
    }

    /**
     * Finds a mode by its configuration name, ignoring case; {@code 2level}, {@code non-pae} and
     * {@code 3level} are accepted as aliases.
     *
     * @param name the name to look up
     * @return the mode, or empty if the name is not a paging mode
     */
    public static Optional<PagingMode> fromConfigName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "2level", "non-pae", "nonpae", "two_level" -> n = TWO_LEVEL.configName;
            case "3level", "three-level" -> n = PAE.configName;
            default -> { }
        }
        String wanted = n;
        return Arrays.stream(values()).filter(m -> m.configName.equals(wanted)).findFirst();
    }

    /** @return {@code PGDIR_SHIFT}: 22 or 30 */
    public int pgdirShift() {
        return pgdirShift;
    }

    /** @return {@code PMD_SHIFT}: 22 (folded into the pgd) or 21; also the large-page shift */
    public int pmdShift() {
        return pmdShift;
    }

    /** @return {@code PMD_SIZE}: the span of one pte page and of one large page, 4 MiB or 2 MiB */
    public long pmdSize() {
        return 1L << pmdShift;
    }

    /** @return {@code PTRS_PER_PGD}: 1024 or 4 */
    public int ptrsPerPgd() {
        return ptrsPerPgd;
    }

    /** @return {@code PTRS_PER_PMD}: 1 (folded) or 512 */
    public int ptrsPerPmd() {
        return ptrsPerPmd;
    }

    /** @return {@code PTRS_PER_PTE}: 1024 or 512 */
    public int ptrsPerPte() {
        return ptrsPerPte;
    }

    /** @return the size of one entry in bytes: 4 or 8 */
    public int entryBytes() {
        return entryBytes;
    }

    /** @return how many entries fill one 4 KiB frame: 1024 or 512 */
    public int entriesPerFrame() {
        return PAGE_SIZE / entryBytes;
    }

    /** @return {@code USER_PTRS_PER_PGD} = {@code TASK_SIZE / PGDIR_SIZE}: 768 or 3 */
    public int userPtrsPerPgd() {
        return (int) (PAGE_OFFSET >>> pgdirShift);
    }

    /** @return {@code KERNEL_PGD_PTRS} = {@code PTRS_PER_PGD - USER_PGD_PTRS}: 256 or 1 */
    public int kernelPgdPtrs() {
        return ptrsPerPgd - userPtrsPerPgd();
    }

    /** @return true when the pmd level is folded into the pgd (2-level mode) */
    public boolean pmdFolded() {
        return ptrsPerPmd == 1;
    }

    /**
     * The size of a root page directory object: a whole page in 2-level mode, 32 bytes (4 entries)
     * in PAE mode, as the 2.6.21 {@code pgd_cache} allocates them.
     *
     * @return the root's size in bytes
     */
    public int pgdBytes() {
        return ptrsPerPgd * entryBytes;
    }

    /**
     * The slot, in its root, of the root entry at a physical address: what a {@code setPgd} (PAE) or a
     * root-level {@code setPmd} (two-level) writes, known from the address alone. A PAE root is a
     * 32-byte object that {@code pgd_cache} packs 128 to a page, so its slot is {@code (pa >> 3) & 3},
     * not the entry's offset in the page; slot 3 ({@link #userPtrsPerPgd()}) is the kernel pmd's. A
     * two-level root fills its page: {@code (pa >> 2) & 1023}.
     *
     * @param rootEntryPa the physical address of a root entry
     * @return its slot, from 0 to {@link #ptrsPerPgd()} - 1
     */
    public int pgdIndexOfEntry(long rootEntryPa) {
        return (int) ((rootEntryPa / entryBytes) & (ptrsPerPgd - 1));
    }

    /**
     * The physical address of the root that holds a root entry: the address rounded down to
     * {@link #pgdBytes()} (32 bytes in PAE mode, where several roots share a page).
     *
     * @param rootEntryPa the physical address of a root entry
     * @return the physical address of its root
     */
    public long pgdOfEntry(long rootEntryPa) {
        return rootEntryPa & ~((long) pgdBytes() - 1);
    }

    /**
     * {@code pgd_index(address)}.
     *
     * @param address a virtual address
     * @return the index of the root entry that maps it
     */
    public int pgdIndex(long address) {
        return (int) ((address >>> pgdirShift) & (ptrsPerPgd - 1));
    }

    /**
     * {@code pmd_index(address)}; always 0 in 2-level mode.
     *
     * @param address a virtual address
     * @return the index of the pmd entry that maps it
     */
    public int pmdIndex(long address) {
        return (int) ((address >>> pmdShift) & (ptrsPerPmd - 1));
    }

    /**
     * {@code pte_index(address)}.
     *
     * @param address a virtual address
     * @return the index of the pte that maps it
     */
    public int pteIndex(long address) {
        return (int) ((address >>> PAGE_SHIFT) & (ptrsPerPte - 1));
    }

    /**
     * The bits of an entry that hold the physical frame address ({@code PTE_MASK}): bits 12-31 in
     * 2-level mode, bits 12-35 in PAE mode (NX, bit 63, and the ignored bits are excluded).
     *
     * @return the frame-address mask
     */
    public long frameMask() {
        return frameMask;
    }

    /**
     * The frame number an entry points to ({@code pte_pfn}, {@code pmd_pfn}, ...). For a large
     * page this is the first frame of the large page.
     *
     * @param entry an entry value
     * @return the frame number in the entry's address field
     */
    public long entryPfn(long entry) {
        return (entry & frameMask) >>> PAGE_SHIFT;
    }

    /**
     * {@code pfn_pte(pfn, prot)}: an entry pointing to {@code pfn} with the given flag bits.
     *
     * @param pfn   a frame number
     * @param flags flag bits (see {@link EntryBits})
     * @return the entry value
     */
    public long makeEntry(long pfn, long flags) {
        return ((pfn << PAGE_SHIFT) & frameMask) | flags;
    }

    /**
     * The value with which the hardware reads an entry's flags: in 2-level mode the NX bit does not
     * exist and is dropped.
     *
     * @return the mask of flag bits the mode supports
     */
    public long flagMask() {
        return this == PAE ? (~frameMask) : 0xFFFL;
    }
}
