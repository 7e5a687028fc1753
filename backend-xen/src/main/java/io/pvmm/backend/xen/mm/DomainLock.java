package io.pvmm.backend.xen.mm;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The domain's big lock ({@code LOCK_BIGLOCK(d)} on {@code d->big_lock} in Xen 3.1's
 * {@code do_mmu_update}, {@code do_mmuext_op} and {@code ptwr_do_page_fault}): every change of the
 * domain's frame state happens under it. Reentrant, so that the guest port can hold it around a
 * decision and the hypercall that acts on it.
 *
 * <p>Taken with try-with-resources, which releases it however the block ends:
 *
 * <pre>{@code
 * try (DomainLock.Held held = lock.hold()) {
 *     ... // the decision and the hypercalls
 * }
 * }</pre>
 *
 * {@link #hold()} returns the same {@link Held} every time, so taking the lock allocates nothing:
 * the hooks run once per page-table write.
 *
 * <p><b>Threading:</b> any thread; {@link Held#close()} must run on the thread that took the lock.
 */
public final class DomainLock {

    private final ReentrantLock lock = new ReentrantLock();
    private final Held held = new Held();

    /**
     * Takes the lock, waiting for it if another vCPU holds it.
     *
     * @return the handle whose {@link Held#close()} releases it
     */
    public Held hold() {
        lock.lock();
        return held;
    }

    /** @return whether the calling thread holds the lock */
    public boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /** The lock, held: closing it releases one hold. */
    public final class Held implements AutoCloseable {

        private Held() {
        }

        /**
         * Releases one hold of the lock.
         *
         * @throws IllegalMonitorStateException if the calling thread does not hold it
         */
        @Override
        public void close() {
            lock.unlock();
        }
    }
}
