package io.pvmm.api;

/**
 * One walk of the guest's page tables by the vCPU's MMU after a TLB miss (SPI 1.1): the entries it
 * read, root first, and where the access landed. A hypervisor with hardware-assisted nested paging
 * (Intel EPT, AMD NPT) translates each of these guest-physical addresses through its own table, so a
 * guest walk of {@code n} entries costs it {@code (n + 1)(m + 1) - 1} memory references with an
 * {@code m}-level host table (Bhargava et al., "Accelerating Two-Dimensional Page Walks for
 * Virtualized Systems", ASPLOS 2008: 24 for 4 levels on 4).
 *
 * <p>A walk reads 2 entries in 2-level mode (the pde, then the pte; 1 for a 4 MiB page) and 3 in
 * PAE mode (the pdpte, the pde, the pte; 2 for a 2 MiB page), fewer when it stops at an entry that is
 * not present. Entries are read as the hardware reads them, in memory; a backend that stores machine
 * frames in the guest's tables sees guest-physical addresses here all the same.
 *
 * <p><b>Lifetime:</b> the object is valid only during {@link ParavirtOps#pageWalk}; the guest reuses
 * it for the vCPU's next walk. Copy what you keep.
 */
public interface PageWalk {

    /** @return the vCPU that walked, as {@link BackendContext#currentCpu()} */
    int cpu();

    /** @return the root the walk started from: CR3, the guest-physical address of the page directory */
    long root();

    /** @return the linear address being translated */
    long address();

    /** @return whether the access writes */
    boolean write();

    /** @return whether the access is made in user mode */
    boolean user();

    /** @return how many entries the walk read, from 1 to 3 */
    int levels();

    /**
     * The guest-physical address of an entry the walk read.
     *
     * @param level from 0 (the root's entry) to {@link #levels()} - 1
     * @return the entry's address
     */
    long entryAddress(int level);

    /** @return whether the walk found a mapping that allows the access (else the guest takes a page fault) */
    boolean completed();

    /** @return the guest-physical address the access reaches; meaningful only when {@link #completed()} */
    long physicalAddress();
}
