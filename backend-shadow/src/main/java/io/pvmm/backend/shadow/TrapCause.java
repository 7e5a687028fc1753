package io.pvmm.backend.shadow;

/**
 * Why a store trapped, as the monitor tells once it has decoded it: by the level of the shadowed
 * table it hit, or as a data write (a block operation, {@code rep stos}/{@code rep movs}, that no
 * page-table code makes entry by entry).
 */
enum TrapCause {
    /** An entry store into a pte page. */
    PTE_WRITE("traps-pte-write"),
    /** An entry store into a PAE pmd page. */
    PMD_WRITE("traps-pmd-write"),
    /** An entry store into a root: the 2-level page directory, or a PAE root's frame. */
    ROOT_WRITE("traps-root-write"),
    /** A word of a block operation ({@code clear_page}, {@code copy_page}, {@code memset}) into a protected frame. */
    DATA_WRITE("traps-data-write");

    private final String counter;

    TrapCause(String counter) {
        this.counter = counter;
    }

    /** @return the counter's name */
    String counter() {
        return counter;
    }
}
