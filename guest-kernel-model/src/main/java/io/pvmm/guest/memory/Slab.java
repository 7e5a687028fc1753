package io.pvmm.guest.memory;

import io.pvmm.api.PagingMode;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One slab of a {@link SlabCache} ({@code struct slab}, on-slab bookkeeping aside): a page of objects,
 * its free list ({@code kmem_bufctl_t}, here a stack of indices) and which objects callers hold now.
 * {@code inuse} counts objects out of the slab, whether a caller holds them or an array cache does;
 * the list operations run under the cache's {@code list_lock}; the holder marks are changed with one
 * atomic bitwise operation each, since {@code kmem_cache_free} checks them before it takes any lock,
 * and two vCPUs' objects in one slab (32-byte PAE pgds, 128 a page) would otherwise contend on a
 * monitor and a count besides the word for every {@code kmem_cache_alloc} and {@code kmem_cache_free}
 * their per-CPU arrays serve, which in the kernel touch no slab at all.
 */
final class Slab {
    final long pfn;
    private final int[] freeStack;
    private int free;
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    /** One bit per object, set while a caller holds it: the double-free check, outside {@code list_lock}. */
    private final long[] allocated;

    Slab(long pfn, int perSlab) {
        this.pfn = pfn;
        this.freeStack = new int[perSlab];
        this.allocated = new long[(perSlab + 63) >>> 6];
        for (int i = 0; i < perSlab; i++) { // hand out objects in address order
            freeStack[i] = perSlab - 1 - i;
        }
        this.free = perSlab;
    }

    /** @return {@code inuse}: objects out of the slab, in an array or with a caller */
    int inuse() {
        return freeStack.length - free;
    }

    /** {@code slab_get_obj}. */
    int take() {
        return freeStack[--free];
    }

    /** {@code slab_put_obj}. */
    void give(int index) {
        freeStack[free++] = index;
    }

    void markAllocated(int index) {
        WORDS.getAndBitwiseOr(allocated, index >>> 6, 1L << index);
    }

    void markFree(int index, long objectPa) {
        long bit = 1L << index;
        long before = (long) WORDS.getAndBitwiseAnd(allocated, index >>> 6, ~bit);
        if ((before & bit) == 0) {
            throw new KernelOops("double kmem_cache_free of object " + index + " (0x" + Long.toHexString(objectPa)
                    + ") in slab 0x" + Long.toHexString(pfn));
        }
    }

    /** @return objects callers hold now: the marks counted when read */
    int allocatedCount() {
        int n = 0;
        for (int i = 0; i < allocated.length; i++) {
            n += Long.bitCount((long) WORDS.getVolatile(allocated, i));
        }
        return n;
    }

    long objectPa(int index, int size) {
        return (pfn << PagingMode.PAGE_SHIFT) + (long) index * size;
    }
}
