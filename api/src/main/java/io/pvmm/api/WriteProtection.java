package io.pvmm.api;

/**
 * Write protection as the hardware gives it to a hypervisor: a frame whose stores trap. A backend
 * that finds page tables without the lifecycle hooks (a full-virtualization shadow pager) protects
 * every frame it shadows and is told of every guest store into one, through
 * {@link ParavirtOps#storeTrapped}; the guest never sees the protection. Got from
 * {@link BackendContext#writeProtection()}. Since SPI 1.1.
 *
 * <p>Stands for clearing the RW bit of every shadow mapping of the frame (Xen's
 * {@code sh_remove_write_access}, KVM's {@code rmap_write_protect}) and setting it again
 * ({@code kvm_mmu_unprotect_page}): which stores trap is a matter of the frame, not of the virtual
 * address the guest stores through.
 *
 * <p><b>What traps:</b> every store the guest makes into a protected frame — an entry written through
 * a paravirt write ({@link ParavirtOps#setPte} and the rest, after the backend performed it), the
 * kernel's own entry stores ({@code pgd_ctor}'s {@code memset} and clone copy, the in-place
 * {@code ptep_set_wrprotect}), and its data stores ({@code clear_page} of a new page, the copy of a
 * copy-on-write break, bootmem zeroing). The backend's own accesses through
 * {@link BackendContext#memory()} are the hypervisor's and never trap.
 *
 * <p><b>Cost:</b> frames nobody protects cost what they cost without protection: the guest checks a
 * frame only once some frame has been protected.
 *
 * <p><b>Threading:</b> any vCPU may protect or unprotect any frame at any time, including from inside
 * {@link ParavirtOps#storeTrapped}; a store that starts after the call returns sees the change.
 */
public interface WriteProtection {

    /**
     * Makes stores into {@code pfn} trap. Protecting a protected frame does nothing.
     *
     * @param pfn a guest frame below {@link GuestMemory#frames()}
     * @throws IndexOutOfBoundsException if the frame is beyond the guest's memory
     */
    void protect(long pfn);

    /**
     * Lets stores into {@code pfn} go through untrapped again. Unprotecting a frame that is not
     * protected does nothing.
     *
     * @param pfn a guest frame below {@link GuestMemory#frames()}
     * @throws IndexOutOfBoundsException if the frame is beyond the guest's memory
     */
    void unprotect(long pfn);

    /**
     * Whether stores into {@code pfn} trap now.
     *
     * @param pfn a guest frame
     * @return whether it is protected; false beyond the guest's memory
     */
    boolean isProtected(long pfn);
}
