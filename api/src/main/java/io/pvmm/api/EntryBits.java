package io.pvmm.api;

/**
 * The x86 page-table entry bits and the kernel's protection combinations
 * ({@code include/asm-i386/pgtable.h}, Linux 2.6.21). The same low 12 bits hold in both paging
 * modes; {@link #NX} exists only in PAE mode.
 *
 * <p>Combinations the kernel writes, and where:
 * <ul>
 *   <li>{@link #PAGE_TABLE} (0x067) links a pte page into a pmd, for user and kernel tables alike
 *       ({@code pmd_populate}, {@code pmd_populate_kernel}, {@code one_page_table_init});</li>
 *   <li>a PAE root entry is {@code __pa(pmd) | PRESENT}: the PDPT takes no other bits;</li>
 *   <li>{@link #PAGE_KERNEL_LARGE} (0x0E3, 0x1E3 with {@link #GLOBAL}) maps lowmem with large pages
 *       when PSE is allowed ({@code kernel_physical_mapping_init}).</li>
 * </ul>
 */
public final class EntryBits {

    private EntryBits() {
    }

    /** {@code _PAGE_PRESENT}. */
    public static final long PRESENT = 0x001;
    /** {@code _PAGE_RW}: writable. */
    public static final long RW = 0x002;
    /** {@code _PAGE_USER}: reachable from user mode. */
    public static final long USER = 0x004;
    /** {@code _PAGE_PWT}: write-through. */
    public static final long PWT = 0x008;
    /** {@code _PAGE_PCD}: cache disabled. */
    public static final long PCD = 0x010;
    /** {@code _PAGE_ACCESSED}. */
    public static final long ACCESSED = 0x020;
    /** {@code _PAGE_DIRTY}. */
    public static final long DIRTY = 0x040;
    /** {@code _PAGE_PSE}: in a pmd entry, a large page (4 MiB, or 2 MiB in PAE). */
    public static final long PSE = 0x080;
    /**
     * {@code _PAGE_PROTNONE}: the {@link #PSE} bit position, meaningful only in a pte whose
     * {@link #PRESENT} bit is clear: a {@code PROT_NONE} mapping that still holds its frame. The
     * hardware does not translate such an entry; the kernel's {@code pte_present} counts it as mapped.
     */
    public static final long PROTNONE = 0x080;
    /** {@code _PAGE_GLOBAL}: not flushed on a CR3 load (needs CR4.PGE). */
    public static final long GLOBAL = 0x100;
    /** {@code _PAGE_NX}: no-execute, bit 63, PAE mode only. */
    public static final long NX = 1L << 63;

    /** {@code _PAGE_TABLE} = PRESENT|RW|USER|ACCESSED|DIRTY: the link to a pte page. */
    public static final long PAGE_TABLE = PRESENT | RW | USER | ACCESSED | DIRTY;
    /** {@code _KERNPG_TABLE} = PRESENT|RW|ACCESSED|DIRTY: what {@code pmd_bad} expects. */
    public static final long KERNPG_TABLE = PRESENT | RW | ACCESSED | DIRTY;

    /** {@code _PAGE_KERNEL_EXEC} = PRESENT|RW|DIRTY|ACCESSED. */
    public static final long PAGE_KERNEL_EXEC = PRESENT | RW | DIRTY | ACCESSED;
    /**
     * {@code _PAGE_KERNEL}: {@link #PAGE_KERNEL_EXEC} plus {@link #NX} where NX is supported (PAE);
     * a guest ORs in {@link #GLOBAL} when PGE is enabled.
     */
    public static final long PAGE_KERNEL = PAGE_KERNEL_EXEC | NX;
    /** {@code PAGE_KERNEL_NOCACHE}: {@link #PAGE_KERNEL} with the cache disabled. */
    public static final long PAGE_KERNEL_NOCACHE = PAGE_KERNEL | PCD;
    /** {@code PAGE_KERNEL_RO}: PRESENT|DIRTY|ACCESSED (no RW). */
    public static final long PAGE_KERNEL_RO = PRESENT | DIRTY | ACCESSED | NX;
    /** {@code PAGE_KERNEL_LARGE} = {@link #PAGE_KERNEL} | {@link #PSE}. */
    public static final long PAGE_KERNEL_LARGE = PAGE_KERNEL | PSE;
    /** {@code PAGE_KERNEL_LARGE_EXEC} = {@link #PAGE_KERNEL_EXEC} | {@link #PSE}. */
    public static final long PAGE_KERNEL_LARGE_EXEC = PAGE_KERNEL_EXEC | PSE;

    /** {@code PAGE_NONE} = PROTNONE|ACCESSED: {@code protection_map[0]}, no access at all. */
    public static final long PAGE_NONE = PROTNONE | ACCESSED;
    /** {@code PAGE_SHARED}: user, writable. */
    public static final long PAGE_SHARED = PRESENT | RW | USER | ACCESSED;
    /** {@code PAGE_COPY} / {@code PAGE_READONLY}: user, read-only (copy-on-write when private). */
    public static final long PAGE_READONLY = PRESENT | USER | ACCESSED;

    /**
     * The hardware present bit ({@code pmd_present}, and what the MMU tests). For a pte the kernel's
     * {@code pte_present} also counts {@link #PROTNONE}; the guest model has a helper for that.
     *
     * @param entry an entry value
     * @return whether the present bit is set
     */
    public static boolean isPresent(long entry) {
        return (entry & PRESENT) != 0;
    }

    /**
     * {@code pmd_large}: a present pmd entry that maps a large page rather than a pte page.
     *
     * @param entry a pmd (or, in 2-level mode, pgd) entry value
     * @return whether it maps a large page
     */
    public static boolean isLarge(long entry) {
        return (entry & (PSE | PRESENT)) == (PSE | PRESENT);
    }

    /**
     * {@code pte_write}.
     *
     * @param entry an entry value
     * @return whether the writable bit is set
     */
    public static boolean isWritable(long entry) {
        return (entry & RW) != 0;
    }
}
