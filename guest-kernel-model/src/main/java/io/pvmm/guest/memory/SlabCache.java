package io.pvmm.guest.memory;

import io.pvmm.api.PagingMode;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Objects;

/**
 * A slab cache with a constructor and a destructor ({@code kmem_cache_create(name, size, align, 0,
 * ctor, dtor)}, the 2.6.21 slab allocator): objects live in single-page slabs; the constructor runs
 * on every object of a slab when the slab is grown, not on each {@link #alloc()}; a freed object stays
 * constructed in its slab and is handed out again, last in first out; only {@link #shrink()} (the
 * reaper's or memory pressure's {@code kmem_cache_shrink}) destroys wholly free slabs, running the
 * destructor on each of their objects and freeing the page.
 *
 * <p>That is why {@code pgd_ctor}'s {@code alloc_pd_clone} and {@code pgd_dtor}'s {@code release_pd}
 * track slab objects, not address spaces. The constructor runs without the cache lock, as
 * {@code cache_grow} drops it, so a constructor may take other locks ({@code pgd_lock}).
 */
public final class SlabCache {

    /** A constructor or destructor: given the object's physical address. */
    @FunctionalInterface
    public interface ObjectHook {
        /**
         * Runs on one object.
         *
         * @param objectPa the object's physical address
         */
        void apply(long objectPa);
    }

    private final String name;
    private final int objectSize;
    private final int perSlab;
    private final ObjectHook ctor;
    private final ObjectHook dtor;
    private final FreePool pool;
    private final PageFrames pages;
    /** The slabs by page frame, without boxing: {@link #free} looks one up on every pgd and PAE pmd free. */
    private final LongMap<Slab> slabs = new LongMap<>();
    private final LinkedHashSet<Slab> partial = new LinkedHashSet<>();
    private final LinkedHashSet<Slab> empty = new LinkedHashSet<>();
    private long grown;
    private long destroyed;

    /**
     * Creates a cache.
     *
     * @param name       the cache's name ({@code pgd}, {@code pmd})
     * @param objectSize object size in bytes; a divisor of the page size
     * @param ctor       constructor, or null
     * @param dtor       destructor, or null
     * @param pool       where slab pages come from
     * @param pages      frame metadata (slab pages of page-table caches are marked as page tables)
     */
    public SlabCache(String name, int objectSize, ObjectHook ctor, ObjectHook dtor, FreePool pool, PageFrames pages) {
        if (objectSize <= 0 || PagingMode.PAGE_SIZE % objectSize != 0) {
            throw new IllegalArgumentException("object size must divide the page size: " + objectSize);
        }
        this.name = Objects.requireNonNull(name, "name");
        this.objectSize = objectSize;
        this.perSlab = PagingMode.PAGE_SIZE / objectSize;
        this.ctor = ctor;
        this.dtor = dtor;
        this.pool = pool;
        this.pages = pages;
    }

    /**
     * {@code kmem_cache_alloc(cache, GFP_KERNEL)}: a constructed object, growing the cache by one slab
     * (and constructing all its objects) when no object is free.
     *
     * @return the object's physical address, or {@link FreePool#NO_FRAME} when no page can be had
     */
    public long alloc() {
        synchronized (this) {
            long obj = takeFree();
            if (obj != FreePool.NO_FRAME) {
                return obj;
            }
        }
        long pfn = pool.alloc(Gfp.KERNEL);
        if (pfn == FreePool.NO_FRAME) {
            return FreePool.NO_FRAME;
        }
        pages.set(pfn, PageFrames.PAGETABLE);
        Slab slab = new Slab(pfn, perSlab);
        if (ctor != null) {
            for (int i = 0; i < perSlab; i++) {
                ctor.apply(slab.objectPa(i, objectSize));
            }
        }
        synchronized (this) {
            slabs.put(pfn, slab);
            empty.add(slab);
            grown++;
            return takeFree();
        }
    }

    private long takeFree() {
        Slab slab = first(partial);
        if (slab == null) {
            slab = first(empty);
            if (slab == null) {
                return FreePool.NO_FRAME;
            }
            empty.remove(slab);
            partial.add(slab);
        }
        int index = slab.take();
        if (slab.free == 0) {
            partial.remove(slab);
        }
        return slab.objectPa(index, objectSize);
    }

    /**
     * {@code kmem_cache_free}: the object goes back to its slab, still constructed.
     *
     * @param objectPa an object this cache handed out
     * @throws KernelOops if the object is not this cache's or is already free
     */
    public synchronized void free(long objectPa) {
        Slab slab = slabs.get(objectPa >>> PagingMode.PAGE_SHIFT);
        int index = (int) ((objectPa & (PagingMode.PAGE_SIZE - 1)) / objectSize);
        if (slab == null || slab.objectPa(index, objectSize) != objectPa) {
            throw new KernelOops("kmem_cache_free(" + name + "): 0x" + Long.toHexString(objectPa) + " is not an object of this cache");
        }
        boolean wasFull = slab.free == 0;
        slab.give(index);
        if (wasFull) {
            partial.add(slab);
        }
        if (slab.free == perSlab) {
            partial.remove(slab);
            empty.add(slab);
        }
    }

    /**
     * {@code kmem_cache_shrink}: destroys every wholly free slab — the destructor runs on each of its
     * objects, then the page is freed.
     *
     * @return how many slab pages were freed
     */
    public int shrink() {
        Slab[] victims;
        synchronized (this) {
            victims = empty.toArray(new Slab[0]);
            empty.clear();
            for (Slab s : victims) {
                slabs.remove(s.pfn);
            }
            destroyed += victims.length;
        }
        for (Slab slab : victims) {
            if (dtor != null) {
                for (int i = 0; i < perSlab; i++) {
                    dtor.apply(slab.objectPa(i, objectSize));
                }
            }
            pages.clear(slab.pfn, PageFrames.PAGETABLE);
            pool.free(slab.pfn);
        }
        return victims.length;
    }

    private static Slab first(LinkedHashSet<Slab> set) {
        Iterator<Slab> it = set.iterator();
        return it.hasNext() ? it.next() : null;
    }

    /** @return the cache's name */
    public String name() {
        return name;
    }

    /** @return the object size */
    public int objectSize() {
        return objectSize;
    }

    /** @return slab pages the cache holds now */
    public synchronized int slabPages() {
        return slabs.size();
    }

    /** @return objects handed out and not freed */
    public synchronized int activeObjects() {
        int[] n = {0};
        slabs.forEachValue(s -> n[0] += perSlab - s.free);
        return n[0];
    }

    /** @return slabs grown since creation (each ran the constructor on all its objects) */
    public synchronized long slabsGrown() {
        return grown;
    }

    /** @return slabs destroyed since creation (each ran the destructor on all its objects) */
    public synchronized long slabsDestroyed() {
        return destroyed;
    }

    private static final class Slab {
        final long pfn;
        final int[] freeStack;
        /** One bit per object, set while it is free: the double-free check in constant time. */
        final long[] freeBits;
        int free;

        Slab(long pfn, int perSlab) {
            this.pfn = pfn;
            this.freeStack = new int[perSlab];
            this.freeBits = new long[(perSlab + 63) >>> 6];
            // hand out objects in address order
            for (int i = 0; i < perSlab; i++) {
                freeStack[i] = perSlab - 1 - i;
                freeBits[i >>> 6] |= 1L << i;
            }
            this.free = perSlab;
        }

        int take() {
            int index = freeStack[--free];
            freeBits[index >>> 6] &= ~(1L << index);
            return index;
        }

        void give(int index) {
            long bit = 1L << index;
            if ((freeBits[index >>> 6] & bit) != 0) {
                throw new KernelOops("double kmem_cache_free of object " + index + " in slab 0x" + Long.toHexString(pfn));
            }
            freeBits[index >>> 6] |= bit;
            freeStack[free++] = index;
        }

        long objectPa(int index, int size) {
            return (pfn << PagingMode.PAGE_SHIFT) + (long) index * size;
        }
    }
}
