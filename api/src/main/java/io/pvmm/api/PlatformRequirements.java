package io.pvmm.api;

import java.util.Objects;

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
 *                               {@code pgd_list}, as in 2.6.23 with {@code SHARED_KERNEL_PMD} = 0
 * @param reservedTop            bytes at the top of the 4 GiB virtual space the guest must leave
 *                               unmapped (a multiple of the large-page size), 0 for none
 * @param minimumKernel          the oldest guest kernel the backend can serve (since SPI 1.1; Xen's
 *                               pv-ops guest first appeared in 2.6.23). An unshared kernel pmd raises it
 *                               to 2.6.23: 2.6.21 has no {@code SHARED_KERNEL_PMD} switch
 */
public record PlatformRequirements(boolean allowsPse, boolean allowsPge, boolean unsharedKernelPmd,
                                   long reservedTop, KernelVersion minimumKernel) {

    /** No requirement: what bare hardware offers. */
    public static final PlatformRequirements NONE = new PlatformRequirements(true, true, false, 0);

    /**
     * Checks the reserved top is sane, and raises the minimum kernel to one that can give each PAE root
     * its own kernel pmd when that is required.
     *
     * @param allowsPse         whether PSE may be used
     * @param allowsPge         whether PGE may be used
     * @param unsharedKernelPmd whether each PAE root must own its kernel pmd
     * @param reservedTop       bytes reserved at the top of the address space
     * @param minimumKernel     the oldest kernel the backend can serve
     */
    public PlatformRequirements {
        if (reservedTop < 0 || reservedTop >= (1L << 30)) {
            throw new IllegalArgumentException("reserved top must be in [0, 1 GiB): " + reservedTop);
        }
        Objects.requireNonNull(minimumKernel, "minimumKernel");
        if (unsharedKernelPmd && !minimumKernel.isAtLeast(KernelVersion.V2_6_23)) {
            minimumKernel = KernelVersion.V2_6_23;
        }
    }

    /**
     * The requirements of SPI 1.0, which serve any modelled kernel ({@link KernelVersion#OLDEST}, or
     * 2.6.23 with an unshared kernel pmd).
     *
     * @param allowsPse         whether PSE may be used
     * @param allowsPge         whether PGE may be used
     * @param unsharedKernelPmd whether each PAE root must own its kernel pmd
     * @param reservedTop       bytes reserved at the top of the address space
     */
    public PlatformRequirements(boolean allowsPse, boolean allowsPge, boolean unsharedKernelPmd, long reservedTop) {
        this(allowsPse, allowsPge, unsharedKernelPmd, reservedTop, KernelVersion.OLDEST);
    }

    /**
     * The same requirements, serving only {@code kernel} and later releases.
     *
     * @param kernel the oldest guest kernel the backend can serve, e.g. {@link KernelVersion#V2_6_23}
     * @return a copy with that minimum
     * @since 1.1
     */
    public PlatformRequirements requiringKernel(KernelVersion kernel) {
        return new PlatformRequirements(allowsPse, allowsPge, unsharedKernelPmd, reservedTop, kernel);
    }

    /**
     * Whether the backend can serve a guest running {@code kernel}.
     *
     * @param kernel the guest's kernel
     * @return whether it is {@link #minimumKernel()} or later
     * @since 1.1
     */
    public boolean serves(KernelVersion kernel) {
        return kernel.isAtLeast(minimumKernel);
    }

    /**
     * The same requirements, with PSE forbidden.
     *
     * @return a copy that forbids large pages
     */
    public PlatformRequirements withoutPse() {
        return new PlatformRequirements(false, allowsPge, unsharedKernelPmd, reservedTop, minimumKernel);
    }

    /**
     * The same requirements, with PGE forbidden.
     *
     * @return a copy that forbids global pages
     */
    public PlatformRequirements withoutPge() {
        return new PlatformRequirements(allowsPse, false, unsharedKernelPmd, reservedTop, minimumKernel);
    }

    /**
     * The same requirements, with an unshared kernel pmd in PAE mode.
     *
     * @return a copy that requires each PAE root to own its kernel pmd
     */
    public PlatformRequirements withUnsharedKernelPmd() {
        return new PlatformRequirements(allowsPse, allowsPge, true, reservedTop, minimumKernel);
    }

    /**
     * The same requirements, reserving the top of the address space from {@code hypervisorStart} up.
     *
     * @param hypervisorStart the lowest virtual address the hypervisor keeps, e.g. {@code 0xFC000000}
     * @return a copy with {@code reservedTop = 4 GiB - hypervisorStart}
     */
    public PlatformRequirements reservingFrom(long hypervisorStart) {
        return new PlatformRequirements(allowsPse, allowsPge, unsharedKernelPmd, (1L << 32) - hypervisorStart, minimumKernel);
    }

    /**
     * A short description for listings, e.g.
     * {@code no PSE, no PGE, unshared kernel pmd (PAE), top 64 MiB reserved (from 0xFC000000), kernel 2.6.23 or later}.
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
        if (minimumKernel != KernelVersion.OLDEST) {
            sb.append("kernel ").append(minimumKernel).append(" or later, ");
        }
        return sb.length() == 0 ? "none" : sb.substring(0, sb.length() - 2);
    }
}
