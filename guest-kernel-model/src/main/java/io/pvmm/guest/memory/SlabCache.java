package io.pvmm.guest.memory;

import io.pvmm.api.PagingMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * A slab cache with a constructor and a destructor ({@code kmem_cache_create(name, size, align, 0,
 * ctor, dtor)}, the 2.6.21 slab allocator of {@code mm/slab.c}). Objects live in single-page slabs; the
 * constructor runs on every object of a slab when {@code cache_grow} adds it, not on each
 * {@link #alloc()}; a freed object stays constructed and is handed out again; only destroying a wholly
 * free slab ({@code slab_destroy}) runs the destructor on each of its objects and frees the page.
 *
 * <p>In front of the slabs, as {@code enable_cpucache} sets them up: a per-CPU {@link ArrayCache} of
 * {@code limit} objects moved to and from the slabs {@code batchcount} at a time, and a shared array of
 * {@code 8 * batchcount} (an SMP kernel, object size at most a page). {@code kmem_cache_free} pushes on
 * the CPU's array and {@code kmem_cache_alloc} pops from it, last in first out; a full array gives its
 * oldest {@code batchcount} objects to the shared array or, if that is full, back to their slabs
 * ({@code free_block}), which destroys a slab that becomes wholly free when the node already holds more
 * than {@code free_limit} free objects. {@link #cacheReap(long)} is the per-CPU reaper
 * ({@code cache_reap}, every {@code REAPTIMEOUT_CPUC}); {@link #shrink()} is {@code kmem_cache_shrink}.
 *
 * <p>That is why {@code pgd_ctor}'s {@code alloc_pd_clone} and {@code pgd_dtor}'s {@code release_pd}
 * track slab objects, not address spaces. Constructors and destructors run with no cache lock held, so
 * they may take other locks ({@code pgd_lock}).
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

    /** {@code shared = 8} in {@code enable_cpucache} for an SMP kernel and objects up to a page. */
    private static final int SHARED_FACTOR = 8;
    /** {@code BATCHREFILL_LIMIT}: an untouched array refills at most this many objects at once. */
    static final int BATCHREFILL_LIMIT = 16;
    /** {@code REAPTIMEOUT_LIST3} (4 * HZ): how often the reaper looks at the shared array and free slabs. */
    public static final long REAPTIMEOUT_LIST3 = 4L * 250;

    private final String name;
    private final int objectSize;
    private final int perSlab;
    private final ObjectHook ctor;
    private final ObjectHook dtor;
    private final FreePool pool;
    private final PageFrames pages;
    private final IntSupplier currentCpu;
    private final ArrayCache[] cpuArrays;
    /** {@code l3->shared}, under this cache's monitor ({@code l3->list_lock}). */
    private final ArrayCache shared;
    /** {@code l3->free_limit}: {@code (1 + nr_cpus) * batchcount + num}. */
    private final int freeLimit;
    /** The slabs by page frame; read without the list lock by {@code kmem_cache_free}'s checks. */
    private final ConcurrentHashMap<Long, Slab> slabs = new ConcurrentHashMap<>();
    /** {@code slabs_partial}: {@code list_add_tail} when a full slab frees an object, refill from the head. */
    private final ArrayDeque<Slab> partial = new ArrayDeque<>();
    /** {@code slabs_free}: {@code list_add} at the head, {@code drain_freelist} from the tail. */
    private final ArrayDeque<Slab> free = new ArrayDeque<>();
    private int freeObjects;
    private boolean freeTouched;
    private long nextReap;
    private long grown;
    private long destroyed;

    /**
     * Creates a cache, its per-CPU and shared arrays sized by {@code enable_cpucache} for its object
     * size.
     *
     * @param name       the cache's name ({@code pgd}, {@code pmd})
     * @param objectSize object size in bytes; a divisor of the page size
     * @param ctor       constructor, or null
     * @param dtor       destructor, or null
     * @param pool       where slab pages come from
     * @param pages      frame metadata (slab pages of page-table caches are marked as page tables)
     * @param cpus       the CPUs, one array each
     * @param currentCpu answers the calling CPU ({@code smp_processor_id()})
     */
    public SlabCache(String name, int objectSize, ObjectHook ctor, ObjectHook dtor, FreePool pool, PageFrames pages,
                     int cpus, IntSupplier currentCpu) {
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
        this.currentCpu = currentCpu;
        int limit = limitFor(objectSize);
        int batchcount = (limit + 1) / 2;
        this.cpuArrays = new ArrayCache[Math.max(1, cpus)];
        for (int i = 0; i < cpuArrays.length; i++) {
            cpuArrays[i] = new ArrayCache(limit, batchcount);
        }
        this.shared = new ArrayCache(SHARED_FACTOR * batchcount, 0xbaadf00d);
        this.freeLimit = (1 + cpuArrays.length) * batchcount + perSlab;
    }


    /**
     * Creates a cache for a guest with one CPU.
     *
     * @param name       the cache's name
     * @param objectSize object size in bytes; a divisor of the page size
     * @param ctor       constructor, or null
     * @param dtor       destructor, or null
     * @param pool       where slab pages come from
     * @param pages      frame metadata
     */
    public SlabCache(String name, int objectSize, ObjectHook ctor, ObjectHook dtor, FreePool pool, PageFrames pages) {
        this(name, objectSize, ctor, dtor, pool, pages, 1, () -> 0);
    }

    /**
     * {@code enable_cpucache}'s {@code limit} for an object size (the "guessed" numbers of 2.6.21).
     *
     * @param size the object size ({@code buffer_size})
     * @return the per-CPU array's limit; its batchcount is {@code (limit + 1) / 2}
     */
    public static int limitFor(int size) {
        if (size > 131072) {
            return 1;
        } else if (size > PagingMode.PAGE_SIZE) {
            return 8;
        } else if (size > 1024) {
            return 24;
        } else if (size > 256) {
            return 54;
        }
        return 120;
    }

    /**
     * {@code kmem_cache_alloc(cache, GFP_KERNEL)}: the object on top of this CPU's array; an empty array
     * is refilled ({@code cache_alloc_refill}) from the shared array, else from partial and free slabs,
     * else the cache grows by one slab, whose objects are all constructed.
     *
     * @return the object's physical address, or {@link FreePool#NO_FRAME} when no page can be had
     */
    public long alloc() {
        ArrayCache ac = cpuArrays[cpu()];
        while (true) {
            synchronized (ac) {
                if (ac.avail == 0) {
                    synchronized (this) {
                        refill(ac);
                    }
                }
                if (ac.avail > 0) {
                    ac.touched = true;
                    long obj = ac.pop();
                    slab(obj, "kmem_cache_alloc").markAllocated(index(obj));
                    return obj;
                }
            }
            if (!grow()) {
                return FreePool.NO_FRAME;
            }
        }
    }

    /** {@code cache_alloc_refill}, under {@code list_lock}. */
    private void refill(ArrayCache ac) {
        int batch = ac.batchcount;
        if (!ac.touched && batch > BATCHREFILL_LIMIT) {
            batch = BATCHREFILL_LIMIT;
        }
        if (shared.avail > 0) { // transfer_objects: the most recently freed first
            int nr = Math.min(Math.min(batch, shared.avail), ac.limit - ac.avail);
            for (int i = shared.avail - nr; i < shared.avail; i++) {
                ac.push(shared.get(i));
            }
            shared.avail -= nr;
            shared.touched = true;
            return;
        }
        while (batch > 0) {
            Slab slab = partial.peekFirst();
            boolean fromFree = false;
            if (slab == null) {
                freeTouched = true;
                slab = free.peekFirst();
                if (slab == null) {
                    return;
                }
                fromFree = true;
            }
            while (slab.inuse() < perSlab && batch-- > 0) {
                ac.push(slab.objectPa(slab.take(), objectSize));
                freeObjects--;
            }
            (fromFree ? free : partial).removeFirst();
            if (slab.inuse() < perSlab) {
                partial.addFirst(slab);
            }
        }
    }

    /** {@code cache_grow}: one page, every object constructed, the slab onto the free list. */
    private boolean grow() {
        long pfn = pool.alloc(Gfp.KERNEL);
        if (pfn == FreePool.NO_FRAME) {
            return false;
        }
        pages.set(pfn, PageFrames.PAGETABLE);
        Slab slab = new Slab(pfn, perSlab);
        if (ctor != null) {
            for (int i = 0; i < perSlab; i++) {
                ctor.apply(slab.objectPa(i, objectSize));
            }
        }
        slabs.put(pfn, slab);
        synchronized (this) {
            free.addLast(slab); // list_add_tail(&slabp->list, &(l3->slabs_free))
            freeObjects += perSlab;
            grown++;
        }
        return true;
    }

    /**
     * {@code kmem_cache_free}: the object goes on top of this CPU's array, still constructed; a full
     * array first gives its oldest {@code batchcount} objects away ({@code cache_flusharray}).
     *
     * @param objectPa an object this cache handed out
     * @throws KernelOops if the object is not this cache's or is already free
     */
    public void free(long objectPa) {
        slab(objectPa, "kmem_cache_free").markFree(index(objectPa), objectPa);
        ArrayCache ac = cpuArrays[cpu()];
        List<Slab> victims = new ArrayList<>(0);
        synchronized (ac) {
            if (ac.avail >= ac.limit) {
                synchronized (this) {
                    flushArray(ac, victims);
                }
            }
            ac.push(objectPa);
        }
        destroy(victims);
    }

    /** {@code cache_flusharray}, under {@code list_lock}. */
    private void flushArray(ArrayCache ac, List<Slab> victims) {
        int batch = ac.batchcount;
        int max = shared.limit - shared.avail;
        if (max > 0) {
            batch = Math.min(batch, max);
            for (int i = 0; i < batch; i++) {
                shared.push(ac.get(i));
            }
        } else {
            freeBlock(ac, batch, victims);
        }
        ac.dropBottom(batch);
    }

    /** {@code free_block}: the {@code n} oldest objects of an array back to their slabs, under {@code list_lock}. */
    private void freeBlock(ArrayCache ac, int n, List<Slab> victims) {
        for (int i = 0; i < n; i++) {
            long obj = ac.get(i);
            Slab slab = slabs.get(obj >>> PagingMode.PAGE_SHIFT);
            boolean wasFull = slab.inuse() == perSlab;
            slab.give(index(obj));
            freeObjects++;
            if (!wasFull) {
                partial.remove(slab);
            }
            if (slab.inuse() == 0) {
                if (freeObjects > freeLimit) {
                    freeObjects -= perSlab;
                    slabs.remove(slab.pfn);
                    victims.add(slab);
                } else {
                    free.addFirst(slab);
                }
            } else {
                partial.addLast(slab);
            }
        }
    }

    /**
     * {@code cache_reap} for this cache on the calling CPU, which the model runs when the CPU's reap
     * timer expires ({@code REAPTIMEOUT_CPUC}): {@code drain_array} of the CPU's array (a touched array
     * is only marked untouched; otherwise {@code (limit + 4) / 5} of its oldest objects go back to their
     * slabs); then, at most every {@link #REAPTIMEOUT_LIST3}, the same for the shared array and, unless
     * the free list was touched, {@code drain_freelist} of {@code (free_limit + 5 * num - 1) / (5 * num)}
     * free slabs, whose objects are destroyed.
     *
     * @param jiffies the calling CPU's guest time
     * @return how many slab pages were freed
     */
    public int cacheReap(long jiffies) {
        List<Slab> victims = new ArrayList<>(0);
        ArrayCache ac = cpuArrays[cpu()];
        synchronized (ac) {
            synchronized (this) {
                drainArray(ac, false, victims);
            }
        }
        synchronized (this) {
            if (jiffies >= nextReap) {
                nextReap = jiffies + REAPTIMEOUT_LIST3;
                drainArray(shared, false, victims);
                if (freeTouched) {
                    freeTouched = false;
                } else {
                    drainFreelist((freeLimit + 5 * perSlab - 1) / (5 * perSlab), victims);
                }
            }
        }
        destroy(victims);
        return victims.size();
    }

    /** {@code drain_array}, under {@code list_lock}. */
    private void drainArray(ArrayCache ac, boolean force, List<Slab> victims) {
        if (ac.avail == 0) {
            return;
        }
        if (ac.touched && !force) {
            ac.touched = false;
            return;
        }
        int tofree = force ? ac.avail : (ac.limit + 4) / 5;
        if (tofree > ac.avail) {
            tofree = (ac.avail + 1) / 2;
        }
        freeBlock(ac, tofree, victims);
        ac.dropBottom(tofree);
    }

    /** {@code drain_freelist}: up to {@code n} wholly free slabs, oldest first, under {@code list_lock}. */
    private void drainFreelist(int n, List<Slab> victims) {
        for (int i = 0; i < n && !free.isEmpty(); i++) {
            Slab slab = free.removeLast();
            freeObjects -= perSlab;
            slabs.remove(slab.pfn);
            victims.add(slab);
        }
    }

    /**
     * {@code kmem_cache_shrink}: {@code drain_cpu_caches} (every CPU's array and the shared array back to
     * the slabs; on another vCPU's array this stands for {@code on_each_cpu(do_drain)}), then every
     * wholly free slab destroyed — the destructor runs on each of its objects, then the page is freed.
     *
     * @return how many slab pages were freed
     */
    public int shrink() {
        List<Slab> victims = new ArrayList<>();
        for (ArrayCache ac : cpuArrays) {
            synchronized (ac) {
                synchronized (this) {
                    drainArray(ac, true, victims);
                }
            }
        }
        synchronized (this) {
            drainArray(shared, true, victims);
            drainFreelist(free.size(), victims);
        }
        destroy(victims);
        return victims.size();
    }

    /** {@code slab_destroy}: the destructor on each object, then the page freed; with no lock held. */
    private void destroy(List<Slab> victims) {
        for (Slab slab : victims) {
            if (dtor != null) {
                for (int i = 0; i < perSlab; i++) {
                    dtor.apply(slab.objectPa(i, objectSize));
                }
            }
            pages.clear(slab.pfn, PageFrames.PAGETABLE);
            pool.free(slab.pfn);
        }
        if (!victims.isEmpty()) {
            synchronized (this) {
                destroyed += victims.size();
            }
        }
    }

    private Slab slab(long objectPa, String what) {
        Slab slab = slabs.get(objectPa >>> PagingMode.PAGE_SHIFT);
        if (slab == null || slab.objectPa(index(objectPa), objectSize) != objectPa) {
            throw new KernelOops(what + "(" + name + "): 0x" + Long.toHexString(objectPa) + " is not an object of this cache");
        }
        return slab;
    }

    private int index(long objectPa) {
        return (int) ((objectPa & (PagingMode.PAGE_SIZE - 1)) / objectSize);
    }

    private int cpu() {
        int c = currentCpu.getAsInt();
        return c < cpuArrays.length ? c : 0;
    }

    /** @return the cache's name */
    public String name() {
        return name;
    }

    /** @return the object size */
    public int objectSize() {
        return objectSize;
    }

    /** @return {@code limit} of each CPU's array */
    public int limit() {
        return cpuArrays[0].limit;
    }

    /** @return {@code batchcount} of each CPU's array */
    public int batchcount() {
        return cpuArrays[0].batchcount;
    }

    /** @return {@code free_limit}: free objects the slabs keep before a wholly free slab is destroyed at once */
    public int freeLimit() {
        return freeLimit;
    }

    /** @return slab pages the cache holds now */
    public int slabPages() {
        return slabs.size();
    }

    /** @return objects handed out and not freed (objects in the arrays are free) */
    public int activeObjects() {
        int n = 0;
        for (Slab s : slabs.values()) {
            n += s.allocatedCount();
        }
        return n;
    }

    /** @return slabs grown since creation (each ran the constructor on all its objects) */
    public synchronized long slabsGrown() {
        return grown;
    }

    /** @return slabs destroyed since creation (each ran the destructor on all its objects) */
    public synchronized long slabsDestroyed() {
        return destroyed;
    }
}
