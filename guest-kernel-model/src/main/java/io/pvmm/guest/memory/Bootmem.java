package io.pvmm.guest.memory;

import io.pvmm.guest.hw.PhysicalMemory;

/**
 * The boot-time allocator ({@code alloc_bootmem_low_pages}): hands out zeroed lowmem pages one after
 * another from the first frame after the kernel image, marks them {@code PG_reserved}, and at
 * {@code mem_init} gives everything it did not hand out to the page allocator
 * ({@code free_all_bootmem}). Boot page tables are therefore reserved and never freed, which is why
 * {@code change_page_attr} never reverts a boot-time pte page.
 */
public final class Bootmem {

    private final PhysicalMemory memory;
    private final PageFrames pages;
    private final long start;
    private final long maxLowPfn;
    private long next;
    private boolean retired;

    /**
     * Creates the allocator over {@code [start, maxLowPfn)}; everything below {@code start} (the first
     * megabyte and the kernel image) is reserved.
     *
     * @param memory    the guest's memory
     * @param pages     frame metadata
     * @param start     first free frame after the kernel image
     * @param maxLowPfn the lowmem limit
     */
    public Bootmem(PhysicalMemory memory, PageFrames pages, long start, long maxLowPfn) {
        if (start >= maxLowPfn) {
            throw new IllegalArgumentException("no lowmem left after the kernel image");
        }
        this.memory = memory;
        this.pages = pages;
        this.start = start;
        this.maxLowPfn = maxLowPfn;
        this.next = start;
        for (long pfn = 0; pfn < start; pfn++) {
            pages.set(pfn, PageFrames.RESERVED);
        }
    }

    /**
     * {@code alloc_bootmem_low_pages(PAGE_SIZE)}: a zeroed, reserved lowmem page.
     *
     * @return the frame
     * @throws KernelOops if lowmem is exhausted during boot ("Out of memory" panics the real kernel)
     */
    public long allocLowPage() {
        if (retired) {
            throw new KernelOops("alloc_bootmem after free_all_bootmem");
        }
        if (next >= maxLowPfn) {
            throw new KernelOops("bootmem: out of low memory");
        }
        long pfn = next++;
        memory.traps().clearPage(pfn);
        pages.set(pfn, PageFrames.RESERVED);
        return pfn;
    }

    /**
     * {@code free_all_bootmem} and {@code set_highmem_pages_init}: every frame not reserved joins the
     * page allocator; bootmem is retired.
     *
     * @param pool   the page allocator
     * @param maxPfn the guest's frame count
     * @return how many frames joined the pool
     */
    public long retire(FreePool pool, long maxPfn) {
        retired = true;
        long n = 0;
        for (long pfn = maxPfn - 1; pfn >= next; pfn--) {
            pool.addBootPage(pfn);
            n++;
        }
        return n;
    }

    /** @return the first frame bootmem manages */
    public long start() {
        return start;
    }

    /** @return frames handed out so far */
    public long used() {
        return next - start;
    }
}
