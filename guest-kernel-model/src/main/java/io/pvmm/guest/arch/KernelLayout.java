package io.pvmm.guest.arch;

import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.api.PlatformRequirements;

/**
 * The i386 kernel's address-space layout ({@code page.h}, {@code fixmap.h}, {@code highmem.h},
 * {@code pgtable.h}) and the model's kernel image, computed from the guest's memory size and what the
 * backend requires of the platform.
 *
 * <ul>
 *   <li>{@code __VMALLOC_RESERVE} = 128 MiB plus the hypervisor's reserved top
 *       ({@code reserve_top_address}); {@code MAXMEM} = 1 GiB - {@code __VMALLOC_RESERVE}, so lowmem
 *       is at most 896 MiB on bare hardware;</li>
 *   <li>{@code __FIXADDR_TOP} = {@code -reserve - PAGE_SIZE}; the fixmap holds
 *       {@value #FIXMAP_PAGES} slots below it;</li>
 *   <li>{@code PKMAP_BASE} = {@code (FIXADDR_BOOT_START - PAGE_SIZE*(LAST_PKMAP+1)) & PMD_MASK};</li>
 *   <li>{@code VMALLOC_START} = {@code high_memory} rounded up past an 8 MiB gap,
 *       {@code VMALLOC_END} = {@code PKMAP_BASE - 2*PAGE_SIZE}.</li>
 * </ul>
 *
 * <p>The kernel image sits at 1 MiB physical: text to {@link #ETEXT}, init sections to
 * {@link #INIT_END}, and {@code swapper_pg_dir} and {@code empty_zero_page} in the page-aligned bss
 * before {@link #IMAGE_END}, where bootmem starts.
 */
public final class KernelLayout {

    /** {@code _text}: where the kernel image starts, physical. */
    public static final long TEXT_START = 0x0010_0000L;
    /** {@code _etext}, physical. */
    public static final long ETEXT = 0x0030_0000L;
    /** {@code __init_end}, physical: {@code is_kernel_text} holds up to here. */
    public static final long INIT_END = 0x0038_0000L;
    /** {@code swapper_pg_dir}, physical (page-aligned bss). */
    public static final long SWAPPER_PG_DIR = 0x003F_E000L;
    /** {@code empty_zero_page}, physical (page-aligned bss). */
    public static final long EMPTY_ZERO_PAGE = 0x003F_F000L;
    /** {@code _end}, physical: the first frame bootmem hands out. */
    public static final long IMAGE_END = 0x0040_0000L;
    /** {@code __end_of_fixed_addresses}: fixmap slots (1 MiB). */
    public static final int FIXMAP_PAGES = 256;
    /** {@code VMALLOC_OFFSET}: the gap between the direct map and vmalloc. */
    public static final long VMALLOC_OFFSET = 8L << 20;
    /** The smallest guest the model boots: the image, bootmem tables and some room. */
    public static final int MIN_MEMORY_MIB = 16;

    private KernelLayout() {
    }

    /**
     * {@code LAST_PKMAP}: one pte page's worth of persistent kmap slots.
     *
     * @param mode the paging mode
     * @return 1024 or 512
     */
    public static int lastPkmap(PagingMode mode) {
        return mode.ptrsPerPte();
    }

    /**
     * Checks a guest memory size against what the paging mode can address: at least
     * {@value #MIN_MEMORY_MIB} MiB, at most 4 GiB in 2-level mode and 64 GiB with PAE.
     *
     * @param mode      the paging mode
     * @param memoryMib guest RAM in MiB
     * @throws IllegalArgumentException naming {@code guest.memory-mib} if the size is out of range
     */
    public static void checkMemory(PagingMode mode, long memoryMib) {
        long maxMib = mode == PagingMode.PAE ? 64L << 10 : 4L << 10;
        if (memoryMib < MIN_MEMORY_MIB || memoryMib > maxMib) {
            throw new IllegalArgumentException("guest.memory-mib must be between " + MIN_MEMORY_MIB + " and "
                    + maxMib + " in " + mode.configName() + " mode: " + memoryMib);
        }
    }

    /**
     * Computes the layout of a guest.
     *
     * @param mode      the paging mode
     * @param memoryMib guest RAM in MiB
     * @param platform  what the backend requires
     * @param pse       whether the guest wants PSE (the platform may forbid it)
     * @param pge       whether the guest wants PGE (the platform may forbid it)
     * @return the layout
     * @throws IllegalArgumentException if the memory size is out of range
     */
    public static GuestLayout compute(PagingMode mode, long memoryMib, PlatformRequirements platform,
                                      boolean pse, boolean pge) {
        checkMemory(mode, memoryMib);
        if (platform.reservedTop() % mode.pmdSize() != 0) {
            throw new IllegalArgumentException("reserved top must be a multiple of " + (mode.pmdSize() >> 20) + " MiB");
        }
        long maxPfn = memoryMib << 8;
        long reserve = platform.reservedTop();
        long vmallocReserve = (128L << 20) + reserve;
        long maxmem = (1L << 32) - PagingMode.PAGE_OFFSET - vmallocReserve;
        long maxLowPfn = Math.min(maxPfn, maxmem >>> PagingMode.PAGE_SHIFT);
        long fixaddrTop = 0xFFFF_F000L - reserve;
        long fixaddrBootStart = fixaddrTop - ((long) FIXMAP_PAGES << PagingMode.PAGE_SHIFT);
        long pmdMask = ~(mode.pmdSize() - 1) & 0xFFFF_FFFFL;
        long pkmapBase = (fixaddrBootStart - (long) PagingMode.PAGE_SIZE * (lastPkmap(mode) + 1)) & pmdMask;
        long vmallocEnd = pkmapBase - 2L * PagingMode.PAGE_SIZE;
        long highMemory = PagingMode.PAGE_OFFSET + (maxLowPfn << PagingMode.PAGE_SHIFT);
        long vmallocStart = (highMemory + VMALLOC_OFFSET) & ~(VMALLOC_OFFSET - 1);
        return new GuestLayout(mode, SWAPPER_PG_DIR, maxLowPfn, maxPfn, fixaddrTop, vmallocStart, vmallocEnd,
                pse && platform.allowsPse(), pge && platform.allowsPge(),
                mode == PagingMode.PAE && !platform.unsharedKernelPmd());
    }

    /**
     * {@code PKMAP_BASE} of a layout.
     *
     * @param layout the layout
     * @return the first persistent-kmap address
     */
    public static long pkmapBase(GuestLayout layout) {
        return layout.vmallocEnd() + 2L * PagingMode.PAGE_SIZE;
    }

    /**
     * The lowest fixmap address, {@code __fix_to_virt(__end_of_fixed_addresses - 1)}.
     *
     * @param layout the layout
     * @return the address of the last fixmap slot
     */
    public static long fixmapStart(GuestLayout layout) {
        return layout.fixaddrTop() - ((long) (FIXMAP_PAGES - 1) << PagingMode.PAGE_SHIFT);
    }

    /**
     * {@code is_kernel_text(addr)}: {@code PAGE_OFFSET <= addr <= __init_end}.
     *
     * @param address a kernel virtual address
     * @return whether it is mapped executable
     */
    public static boolean isKernelText(long address) {
        return address >= PagingMode.PAGE_OFFSET && address <= PagingMode.PAGE_OFFSET + INIT_END;
    }
}
