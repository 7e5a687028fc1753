package io.pvmm.backend.shadow;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * The shadow cache: the roots the monitor keeps shadows for, keyed by the guest root's physical
 * address (CR3), at most {@code limit} of them, least recently loaded first — so that switching back
 * to an address space finds its shadow instead of walking the guest's tables again (KVM's
 * {@code kvm_mmu_get_page} lookup of a root by gfn and role; Xen keeps shadows until
 * {@code shadow_prealloc} needs the memory, then unpins the least recently used top-level shadows from
 * the tail of its toplevel list).
 *
 * <p><b>Threading:</b> not thread-safe; used under {@link ShadowPager}'s lock.
 */
final class ShadowCache {

    private final int limit;
    private final LinkedHashMap<Long, Shadow> roots = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * An empty cache.
     *
     * @param limit the {@code cache-roots} setting, at least 1
     */
    ShadowCache(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("cache-roots must be at least 1: " + limit);
        }
        this.limit = limit;
    }

    /**
     * A root's shadow, which becomes the most recently used.
     *
     * @param rootPa the guest root
     * @return its shadow, or null on a miss
     */
    Shadow get(long rootPa) {
        return roots.get(rootPa);
    }

    /**
     * A root's shadow without touching the order.
     *
     * @param rootPa the guest root
     * @return its shadow, or null
     */
    Shadow peek(long rootPa) {
        for (Map.Entry<Long, Shadow> e : roots.entrySet()) {
            if (e.getKey() == rootPa) {
                return e.getValue();
            }
        }
        return null;
    }

    void put(long rootPa, Shadow root) {
        roots.put(rootPa, root);
    }

    Shadow remove(long rootPa) {
        return roots.remove(rootPa);
    }

    /**
     * The least recently used root over the limit that no vCPU runs on, taken out of the cache.
     *
     * @param current whether a root is loaded on some vCPU
     * @return the evicted root, or null when the cache is within its limit (or every root is current)
     */
    Shadow evictOne(LongPredicate current) {
        if (roots.size() <= limit) {
            return null;
        }
        for (Iterator<Map.Entry<Long, Shadow>> it = roots.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Shadow> e = it.next();
            if (!current.test(e.getKey())) {
                it.remove();
                return e.getValue();
            }
        }
        return null;
    }

    /** @return the cached roots, least recently used first */
    Iterable<Long> rootsByAge() {
        return roots.keySet();
    }

    int size() {
        return roots.size();
    }

    int limit() {
        return limit;
    }
}
