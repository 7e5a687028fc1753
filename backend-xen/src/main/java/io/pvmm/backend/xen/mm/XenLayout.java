package io.pvmm.backend.xen.mm;

import io.pvmm.api.PagingMode;

/**
 * Where Xen keeps its private mappings in a 32-bit guest's address space ({@code HYPERVISOR_VIRT_START},
 * {@code L2_PAGETABLE_FIRST_XEN_SLOT}; Xen 3.1 {@code x86_32/page-2level.h} and {@code config.h},
 * research notes §4.4).
 */
public final class XenLayout {

    /** {@code HYPERVISOR_VIRT_START} of a 2-level hypervisor: slot 1008 of the root up is Xen's. */
    public static final long HYPERVISOR_VIRT_START_2LEVEL = 0xFC000000L;
    /** {@code HYPERVISOR_VIRT_START} of a PAE hypervisor: index 428 of the slot-3 pmd up is Xen's. */
    public static final long HYPERVISOR_VIRT_START_PAE = 0xF5800000L;

    private XenLayout() {
    }

    /**
     * {@code HYPERVISOR_VIRT_START} for a paging mode.
     *
     * @param mode the paging mode
     * @return the lowest address Xen keeps
     */
    public static long hypervisorVirtStart(PagingMode mode) {
        return mode == PagingMode.PAE ? HYPERVISOR_VIRT_START_PAE : HYPERVISOR_VIRT_START_2LEVEL;
    }

    /**
     * {@code L2_PAGETABLE_FIRST_XEN_SLOT}: the first slot of an L2 that belongs to Xen — of every root
     * in 2-level mode (1008), of the slot-3 pmd ({@code PGT_pae_xen_l2}) in PAE mode (428).
     *
     * @param mode the paging mode
     * @return the first Xen slot
     */
    public static int firstXenL2Slot(PagingMode mode) {
        long start = hypervisorVirtStart(mode);
        return (int) ((start >>> mode.pmdShift()) & (mode.ptrsPerPmd() == 1 ? mode.ptrsPerPgd() - 1 : mode.ptrsPerPmd() - 1));
    }
}
