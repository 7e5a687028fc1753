package io.pvmm.backend.xen.mm;

/** The {@code mmuext_op} commands the model uses ({@code xen/include/public/xen.h}). */
public enum MmuextCmd {
    /** {@code MMUEXT_PIN_L1_TABLE} (0). */
    PIN_L1_TABLE,
    /** {@code MMUEXT_PIN_L2_TABLE} (1): pins a 2-level root. */
    PIN_L2_TABLE,
    /** {@code MMUEXT_PIN_L3_TABLE} (2): pins a PAE root. */
    PIN_L3_TABLE,
    /** {@code MMUEXT_UNPIN_TABLE} (4). */
    UNPIN_TABLE,
    /** {@code MMUEXT_NEW_BASEPTR} (5): loads the vCPU's root. */
    NEW_BASEPTR,
    /** {@code MMUEXT_TLB_FLUSH_LOCAL} (6). */
    TLB_FLUSH_LOCAL,
    /** {@code MMUEXT_INVLPG_LOCAL} (7). */
    INVLPG_LOCAL
}
