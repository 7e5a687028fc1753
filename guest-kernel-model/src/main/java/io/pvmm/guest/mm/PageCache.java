package io.pvmm.guest.mm;

import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.Gfp;
import io.pvmm.guest.memory.PageFrames;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The page cache, reduced to what mappings need: one page per (file, index), created on first use and
 * holding its own reference while cached, so pages of a file are shared by every process that maps
 * it. {@link #drop()} releases them all (the end of a run, or memory pressure).
 */
public final class PageCache {

    private final FreePool pool;
    private final PageFrames pages;
    private final ConcurrentHashMap<Long, Long> cache = new ConcurrentHashMap<>();

    /**
     * Creates an empty cache.
     *
     * @param pool  where pages come from
     * @param pages frame metadata (reference counts)
     */
    public PageCache(FreePool pool, PageFrames pages) {
        this.pool = pool;
        this.pages = pages;
    }

    /**
     * {@code find_get_page} or read it in: the page of a file, with a reference taken for the caller.
     *
     * @param fileId a file
     * @param index  a page index in the file
     * @return the page, or {@link FreePool#NO_FRAME} if memory ran out
     */
    public long get(int fileId, long index) {
        long key = ((long) fileId << 40) | index;
        Long pfn = cache.get(key);
        if (pfn == null) {
            long fresh = pool.alloc(Gfp.HIGHUSER_COLD); // page_cache_read: page_cache_alloc_cold
            if (fresh == FreePool.NO_FRAME) {
                return FreePool.NO_FRAME;
            }
            pages.get(fresh); // the cache's own reference
            Long raced = cache.putIfAbsent(key, fresh);
            if (raced != null) {
                pages.put(fresh);
                pool.free(fresh);
                pfn = raced;
            } else {
                pfn = fresh;
            }
        }
        pages.get(pfn);
        return pfn;
    }

    /** Drops the cache's references; pages no one maps are freed. */
    public void drop() {
        for (Long pfn : cache.values()) {
            if (pages.put(pfn) == 0) {
                pool.free(pfn);
            }
        }
        cache.clear();
    }

    /** @return pages cached */
    public int size() {
        return cache.size();
    }
}
