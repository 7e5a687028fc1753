package io.pvmm.api;

import java.util.Objects;

/**
 * Where the guest keeps what a hypervisor needs to find, fixed before the backend is created.
 *
 * <p>The direct map covers frames {@code [0, maxLowPfn)} at {@code PAGE_OFFSET + (pfn << 12)};
 * lowmem is capped at {@code MAXMEM} = 1 GiB - {@code __VMALLOC_RESERVE} (896 MiB, less any top
 * reserved by the hypervisor). Page tables always live in lowmem.
 *
 * @param mode            the paging mode
 * @param swapperPgDir    physical address of {@code swapper_pg_dir}, the root of {@code init_mm}
 * @param maxLowPfn       {@code max_low_pfn}: frames below it are in the direct map
 * @param maxPfn          {@code max_pfn}: the guest's frame count
 * @param fixaddrTop      {@code FIXADDR_TOP}: the top of the fixmap, below any reserved top
 * @param vmallocStart    {@code VMALLOC_START}
 * @param vmallocEnd      {@code VMALLOC_END}
 * @param pse             whether the guest maps lowmem with large pages (CR4.PSE)
 * @param pge             whether kernel mappings carry {@link EntryBits#GLOBAL} (CR4.PGE)
 * @param sharedKernelPmd PAE only: whether every root shares swapper's kernel pmd (2.6.21), or owns
 *                        a copy of it and sits on {@code pgd_list} (2.6.23 {@code !SHARED_KERNEL_PMD});
 *                        always false in 2-level mode
 */
public record GuestLayout(PagingMode mode, long swapperPgDir, long maxLowPfn, long maxPfn,
                          long fixaddrTop, long vmallocStart, long vmallocEnd,
                          boolean pse, boolean pge, boolean sharedKernelPmd) {

    /**
     * Checks the layout is coherent.
     *
     * @param mode            the paging mode
     * @param swapperPgDir    physical address of {@code swapper_pg_dir}
     * @param maxLowPfn       {@code max_low_pfn}
     * @param maxPfn          {@code max_pfn}
     * @param fixaddrTop      {@code FIXADDR_TOP}
     * @param vmallocStart    {@code VMALLOC_START}
     * @param vmallocEnd      {@code VMALLOC_END}
     * @param pse             whether PSE is in use
     * @param pge             whether PGE is in use
     * @param sharedKernelPmd whether PAE roots share the kernel pmd
     */
    public GuestLayout {
        Objects.requireNonNull(mode, "mode");
        if (maxLowPfn > maxPfn) {
            throw new IllegalArgumentException("max_low_pfn " + maxLowPfn + " above max_pfn " + maxPfn);
        }
        if (mode == PagingMode.TWO_LEVEL && sharedKernelPmd) {
            throw new IllegalArgumentException("2-level mode has no kernel pmd to share");
        }
    }

    /**
     * {@code __va(pfn << PAGE_SHIFT)}: where the direct map maps a lowmem frame.
     *
     * @param pfn a frame below {@link #maxLowPfn()}
     * @return its kernel virtual address
     */
    public long directMapAddress(long pfn) {
        return PagingMode.PAGE_OFFSET + (pfn << PagingMode.PAGE_SHIFT);
    }

    /**
     * The frame number of {@code swapper_pg_dir}.
     *
     * @return {@code __pa(swapper_pg_dir) >> PAGE_SHIFT}
     */
    public long swapperPfn() {
        return swapperPgDir >>> PagingMode.PAGE_SHIFT;
    }
}
