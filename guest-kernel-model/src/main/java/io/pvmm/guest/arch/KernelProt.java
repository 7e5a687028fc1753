package io.pvmm.guest.arch;

import io.pvmm.api.EntryBits;

/**
 * The kernel's protection values once boot has decided on PGE: {@code __PAGE_KERNEL} and
 * {@code __PAGE_KERNEL_EXEC} gain {@code _PAGE_GLOBAL} in {@code pagetable_init} when the CPU has PGE,
 * and every combination built from them follows ({@code PAGE_KERNEL_LARGE}, {@code PAGE_KERNEL_NOCACHE},
 * ...). NX is stripped later, by {@code __supported_pte_mask}, where it does not exist.
 */
public final class KernelProt {

    private final long global;

    /**
     * Creates the values.
     *
     * @param pge whether PGE is enabled
     */
    public KernelProt(boolean pge) {
        this.global = pge ? EntryBits.GLOBAL : 0;
    }

    /** @return {@code PAGE_KERNEL} */
    public long kernel() {
        return EntryBits.PAGE_KERNEL | global;
    }

    /** @return {@code PAGE_KERNEL_EXEC} */
    public long kernelExec() {
        return EntryBits.PAGE_KERNEL_EXEC | global;
    }

    /** @return {@code PAGE_KERNEL_LARGE} */
    public long kernelLarge() {
        return EntryBits.PAGE_KERNEL_LARGE | global;
    }

    /** @return {@code PAGE_KERNEL_LARGE_EXEC} */
    public long kernelLargeExec() {
        return EntryBits.PAGE_KERNEL_LARGE_EXEC | global;
    }

    /** @return {@code PAGE_KERNEL_NOCACHE} */
    public long kernelNocache() {
        return EntryBits.PAGE_KERNEL_NOCACHE | global;
    }

    /** @return {@code PAGE_KERNEL_RO} */
    public long kernelRo() {
        return EntryBits.PAGE_KERNEL_RO | global;
    }
}
