package io.pvmm.guest.memory;

/** The allocation flags the model's callers use ({@code gfp_t}), reduced to what changes the outcome. */
public enum Gfp {
    /** {@code GFP_KERNEL}: lowmem, contents undefined. Page tables, slab pages, split tables. */
    KERNEL(false, false),
    /** {@code GFP_KERNEL | __GFP_ZERO}: lowmem, zeroed ({@code pte_alloc_one}, {@code get_zeroed_page}). */
    KERNEL_ZERO(false, true),
    /** {@code GFP_HIGHUSER}: highmem first, then lowmem; user pages and vmalloc pages. */
    HIGHUSER(true, false),
    /** {@code GFP_HIGHUSER | __GFP_ZERO}: an anonymous user page. */
    HIGHUSER_ZERO(true, true),
    /** {@code GFP_HIGHUSER | __GFP_COLD}: a page-cache page read from a file ({@code page_cache_alloc_cold}). */
    HIGHUSER_COLD(true, false, true);

    private final boolean highmem;
    private final boolean zero;
    private final boolean cold;

    Gfp(boolean highmem, boolean zero) {
        this(highmem, zero, false);
    }

    Gfp(boolean highmem, boolean zero, boolean cold) {
        this.highmem = highmem;
        this.zero = zero;
        this.cold = cold;
    }

    /** @return whether the page comes from the cold per-CPU list ({@code __GFP_COLD}) */
    public boolean cold() {
        return cold;
    }

    /** @return whether highmem may satisfy the allocation */
    public boolean highmem() {
        return highmem;
    }

    /** @return whether the page is zeroed */
    public boolean zero() {
        return zero;
    }
}
