package io.pvmm.guest.memory;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failure injection for the page allocator ({@code CONFIG_FAIL_PAGE_ALLOC}'s role): the k-th
 * allocation fails ({@code guest.fail-alloc-at=k}), or each allocation fails with a seeded probability
 * ({@code guest.fail-alloc-probability=p}). Off by default. Boot allocations are never failed.
 *
 * <p>Allocations are numbered only while injection is on: off, {@link #shouldFail} touches no shared
 * state, so the page allocator's hot path does not bounce a counter's cache line between vCPUs. To
 * number a run's allocations without failing any (to choose a {@code fail-alloc-at}), set
 * {@code failAt} past the end, e.g. {@link Long#MAX_VALUE}.
 */
public final class AllocFailures {

    /** No injected failure. */
    public static final AllocFailures NONE = new AllocFailures(0, 0.0, 0);

    private final long failAt;
    private final double probability;
    private final boolean enabled;
    private final SplittableRandom random;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong injected = new AtomicLong();

    /**
     * Creates an injector.
     *
     * @param failAt      1-based index of the allocation to fail, 0 for none
     * @param probability chance that any allocation fails, 0 for none
     * @param seed        seed of the random draws
     */
    public AllocFailures(long failAt, double probability, long seed) {
        if (failAt < 0) {
            throw new IllegalArgumentException("fail-alloc-at must be >= 0: " + failAt);
        }
        if (probability < 0 || probability > 1) {
            throw new IllegalArgumentException("fail-alloc-probability must be in [0, 1]: " + probability);
        }
        this.failAt = failAt;
        this.probability = probability;
        this.enabled = failAt > 0 || probability > 0;
        this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    }

    /**
     * Counts one allocation attempt and says whether it must fail; with injection off, neither.
     *
     * @return true when the attempt is to fail
     */
    public boolean shouldFail() {
        if (!enabled) {
            return false;
        }
        long n = attempts.incrementAndGet();
        boolean fail = n == failAt;
        if (!fail && probability > 0) {
            synchronized (random) {
                fail = random.nextDouble() < probability;
            }
        }
        if (fail) {
            injected.incrementAndGet();
        }
        return fail;
    }

    /** @return allocation attempts counted so far; always 0 while injection is off */
    public long attempts() {
        return attempts.get();
    }

    /** @return failures injected so far */
    public long injected() {
        return injected.get();
    }

    /** @return whether any failure is configured */
    public boolean enabled() {
        return enabled;
    }
}
