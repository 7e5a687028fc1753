package io.pvmm.backend.nested;

/**
 * The bits of an EPT paging-structure entry and of the EPT pointer, 64 bits each (Intel SDM vol. 3C,
 * §28.2.2, "EPT Translation Mechanism", Tables 28-1 to 28-6; the same values as Linux
 * {@code arch/x86/include/asm/vmx.h}: {@code VMX_EPT_READABLE_MASK 0x1}, {@code VMX_EPT_WRITABLE_MASK
 * 0x2}, {@code VMX_EPT_EXECUTABLE_MASK 0x4}, {@code VMX_EPT_MT_EPTE_SHIFT 3},
 * {@code VMX_EPT_DEFAULT_MT 0x6}, {@code VMX_EPT_IGMT_BIT (1ull << 6)}, {@code VMX_EPT_DEFAULT_GAW 3}).
 *
 * <ul>
 *   <li>bits 0–2: read, write, execute; an entry with none of them is not present (an EPT
 *       violation), and write without read is a misconfiguration (§28.2.3.1);</li>
 *   <li>bits 3–5: the memory type of a leaf (6, write-back; 2, 3 and 7 are reserved); bit 6 ignores
 *       the guest's PAT; reserved in a non-leaf entry;</li>
 *   <li>bit 7: in a PDE (level 2) or PDPTE (level 3), the entry maps a 2 MiB or 1 GiB page;</li>
 *   <li>bits 12–51: the host-physical address of the next table or of the page.</li>
 * </ul>
 * Accessed and dirty flags (bits 8 and 9) came with EPT A/D bits in 2013 and are not modelled.
 */
final class EptEntry {

    /** Bit 0: reads allowed. */
    static final long READ = 0x1;
    /** Bit 1: writes allowed. */
    static final long WRITE = 0x2;
    /** Bit 2: instruction fetches allowed. */
    static final long EXECUTE = 0x4;
    /** Read, write and execute: what a hypervisor gives ordinary guest RAM. */
    static final long RWX = READ | WRITE | EXECUTE;
    /** Bits 3–5 of a leaf: the EPT memory type. */
    static final int MEMORY_TYPE_SHIFT = 3;
    /** Memory type 6: write-back, {@code VMX_EPT_DEFAULT_MT}. */
    static final long WRITE_BACK = 6;
    /** Bit 6 of a leaf: ignore the guest's PAT. */
    static final long IGNORE_PAT = 1L << 6;
    /** Bit 7 of a PDE or PDPTE: the entry maps a page, not a table. */
    static final long LARGE = 1L << 7;
    /** Bits 12–51: the host-physical address. */
    static final long ADDRESS_MASK = 0x000F_FFFF_FFFF_F000L;
    /** Entries per table: 512 of 8 bytes. */
    static final int ENTRIES = 512;
    /** Bits of guest-physical address each level indexes. */
    static final int INDEX_BITS = 9;
    /** The EPT pointer's bits 5:3 hold the page-walk length minus one: 3 for 4 levels. */
    static final int EPTP_WALK_LENGTH_SHIFT = 3;

    private EptEntry() {
    }

    /**
     * A non-leaf entry: read, write and execute, so the leaf decides.
     *
     * @param tablePa the next table's host-physical address
     * @return the entry
     */
    static long table(long tablePa) {
        return (tablePa & ADDRESS_MASK) | RWX;
    }

    /**
     * A leaf for guest RAM: read, write, execute, write-back.
     *
     * @param hostPa the host-physical address of the page
     * @param large  whether it is a 2 MiB page (a PDE)
     * @return the entry
     */
    static long leaf(long hostPa, boolean large) {
        return (hostPa & ADDRESS_MASK) | RWX | (WRITE_BACK << MEMORY_TYPE_SHIFT) | (large ? LARGE : 0);
    }

    /**
     * The EPT pointer of a 4-level table: its root's address, write-back, walk length 4.
     *
     * @param rootPa the PML4 table's host-physical address
     * @return the EPTP
     */
    static long eptp(long rootPa) {
        return (rootPa & ADDRESS_MASK) | (3L << EPTP_WALK_LENGTH_SHIFT) | WRITE_BACK;
    }

    /** @return whether the entry is present: any of read, write, execute */
    static boolean present(long entry) {
        return (entry & RWX) != 0;
    }

    /** @return the host-physical address in the entry */
    static long address(long entry) {
        return entry & ADDRESS_MASK;
    }

    /**
     * Whether a present entry is one the processor refuses with an EPT misconfiguration (exit 49):
     * write without read, a reserved memory type in a leaf, reserved bits in a non-leaf.
     *
     * @param entry a present entry
     * @param leaf  whether it maps a page
     * @return the reason, or null if the entry is well formed
     */
    static String misconfiguration(long entry, boolean leaf) {
        if ((entry & (READ | WRITE)) == WRITE) {
            return "write allowed without read";
        }
        long type = (entry >>> MEMORY_TYPE_SHIFT) & 7;
        if (leaf && (type == 2 || type == 3 || type == 7)) {
            return "reserved memory type " + type;
        }
        if (!leaf && (entry & 0xF8L) != 0) {
            return "reserved bits 3-7 set in a table entry";
        }
        return null;
    }
}
