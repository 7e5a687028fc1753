package io.pvmm.api;

/**
 * What a backend requires of the guest's platform, the way a hypervisor bends the kernel at boot:
 * Xen masks PSE and PGE out of a PV guest's CPUID and refuses a shared PAE kernel pmd; VMI and Xen
 * reserve the top of the virtual address space ({@code reserve_top_address}), which moves the fixmap
 * below the hole and grows {@code __VMALLOC_RESERVE}.
 *
 * @param allowsPse              whether the guest may map with large pages ({@code cpu_has_pse});
 *                               if not, lowmem is mapped with 4 KiB tables and
 *                               {@code change_page_attr} never splits or reverts
 * @param allowsPge              whether kernel mappings may carry {@link EntryBits#GLOBAL}
 * @param unsharedKernelPmd      PAE only: each root must own a copy of the kernel pmd and sit on
 *                               {@code pgd_list}, as in 2.6.22 with {@code SHARED_KERNEL_PMD} = 0
 * @param reservedTop            bytes at the top of the 4 GiB virtual space the guest must leave
 *                               unmapped (a multiple of the large-page size), 0 for none
 */
public record PlatformRequirements(boolean allowsPse, boolean allowsPge, boolean unsharedKernelPmd,
                                   long reservedTop) {

    /** No requirement: what bare hardware offers. */
    public static final PlatformRequirements NONE = new PlatformRequirements(true, true, false, 0);

    /**
     * Checks the reserved top is sane.
     *
     * @param allowsPse         whether PSE may be used
     * @param allowsPge         whether PGE may be used
     * @param unsharedKernelPmd whether each PAE root must own its kernel pmd
     * @param reservedTop       bytes reserved at the top of the address space
     */
    public PlatformRequirements {
        if (reservedTop < 0 || reservedTop >= (1L << 30)) {
            throw new IllegalArgumentException("reserved top must be in [0, 1 GiB): " + reservedTop);
        }
    }

    /**
     * The same requirements, with PSE forbidden.
     *
     * @return a copy that forbids large pages
     */
    public PlatformRequirements withoutPse() {
        return new PlatformRequirements(false, allowsPge, unsharedKernelPmd, reservedTop);
    }

    /**
     * The same requirements, with PGE forbidden.
     *
     * @return a copy that forbids global pages
     */
    public PlatformRequirements withoutPge() {
        return new PlatformRequirements(allowsPse, false, unsharedKernelPmd, reservedTop);
    }

    /**
     * The same requirements, with an unshared kernel pmd in PAE mode.
     *
     * @return a copy that requires each PAE root to own its kernel pmd
     */
    public PlatformRequirements withUnsharedKernelPmd() {
        return new PlatformRequirements(allowsPse, allowsPge, true, reservedTop);
    }

    /**
     * The same requirements, reserving the top of the address space from {@code hypervisorStart} up.
     *
     * @param hypervisorStart the lowest virtual address the hypervisor keeps, e.g. {@code 0xFC000000}
     * @return a copy with {@code reservedTop = 4 GiB - hypervisorStart}
     */
    public PlatformRequirements reservingFrom(long hypervisorStart) {
        return new PlatformRequirements(allowsPse, allowsPge, unsharedKernelPmd, (1L << 32) - hypervisorStart);
    }

    /**
     * A short description for listings, e.g. {@code no PSE, no PGE, unshared kernel pmd, top 64 MiB reserved}.
     *
     * @return the description, or {@code none} when nothing is required
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (!allowsPse) {
            sb.append("no PSE, ");
        }
        if (!allowsPge) {
            sb.append("no PGE, ");
        }
        if (unsharedKernelPmd) {
            sb.append("unshared kernel pmd (PAE), ");
        }
        if (reservedTop > 0) {
            sb.append(String.format("top %d MiB reserved (from 0x%08X), ", reservedTop >> 20, (1L << 32) - reservedTop));
        }
        return sb.length() == 0 ? "none" : sb.substring(0, sb.length() - 2);
    }
}
