package io.pvmm.guest.memory;

/**
 * {@code struct array_cache} (mm/slab.c, 2.6.21): a stack of free object pointers, per CPU or shared
 * by a node's CPUs. Objects are pushed and popped at the top ({@code entry[avail]}), so the object freed
 * last is handed out first; batches leave from the bottom (the oldest), as {@code cache_flusharray}
 * and {@code drain_array} {@code memmove} the rest down.
 *
 * <p>Not thread-safe: a per-CPU array is used by its CPU with interrupts off (the model: under the
 * array's monitor, which another vCPU takes only to drain it, as {@code do_drain} runs there by IPI);
 * the shared array under the cache's {@code list_lock}.
 */
final class ArrayCache {

    /** {@code avail}: objects in the array. */
    int avail;
    /** {@code limit}: the most objects the array holds. */
    final int limit;
    /** {@code batchcount}: objects moved at once to or from the slabs. */
    final int batchcount;
    /** {@code touched}: the array was used since the reaper last looked. */
    boolean touched;
    private final long[] entry;

    ArrayCache(int limit, int batchcount) {
        this.limit = limit;
        this.batchcount = batchcount;
        this.entry = new long[Math.max(limit, 1)];
    }

    void push(long obj) {
        entry[avail++] = obj;
    }

    long pop() {
        return entry[--avail];
    }

    /** @return the object {@code i} from the bottom */
    long get(int i) {
        return entry[i];
    }

    /** Removes the {@code n} oldest objects: {@code avail -= n; memmove(entry, &entry[n], avail)}. */
    void dropBottom(int n) {
        avail -= n;
        System.arraycopy(entry, n, entry, 0, avail);
    }
}
