package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.guest.hw.Apic;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A witness that threads of a concurrency test really ran at once: each operation takes a ticket from
 * one shared counter and records its thread there, and {@link #assertInterleaved()} asserts that every
 * thread did at least one operation between two operations of another thread. A test whose threads
 * ran one after the other (too little work for the scheduler to interleave them, a lock held across
 * a whole thread's run) proves nothing about races, and fails here instead of passing.
 *
 * <p>Threads start together at {@link #start()}, a barrier. {@link #checkpoint()} is a barrier too: a
 * test that calls it twice in each thread, at a third and at two thirds of its work, splits every
 * thread into three phases, and each thread's middle phase comes after every other thread's first and
 * before every other thread's last, so the threads interleave whatever the scheduler does (one
 * checkpoint is not enough: on two cores one thread can run its first half before the others start and
 * its second half after they end).
 *
 * <p>Thread-safe: {@link #record(int)} is lock-free and may be called from any number of threads.
 */
public final class Interleaving {

    /** How long a thread waits at a barrier for the others: a bound, so a failed thread cannot hang the test. */
    private static final long BARRIER_TIMEOUT_SECONDS = 60;

    private final int threads;
    private final Barrier start;
    private final Barrier checkpoint;
    private final AtomicInteger tickets = new AtomicInteger();
    private final AtomicIntegerArray owners;

    /**
     * A witness for a bounded run.
     *
     * @param threads       the number of threads taking part
     * @param maxOperations the most operations all threads together record
     */
    public Interleaving(int threads, int maxOperations) {
        this.threads = threads;
        this.start = new Barrier(threads);
        this.checkpoint = new Barrier(threads);
        this.owners = new AtomicIntegerArray(maxOperations);
    }

    /** Waits until every thread has arrived, so that none starts its work before the others exist. */
    public void start() {
        start.await();
    }

    /** Waits until every thread has reached the same checkpoint of its work. */
    public void checkpoint() {
        checkpoint.await();
    }

    /**
     * Records one operation of a thread, in the order the operations happened.
     *
     * @param thread the thread's index, from 0
     */
    public void record(int thread) {
        int ticket = tickets.getAndIncrement();
        if (ticket < owners.length()) {
            owners.set(ticket, thread + 1);
        }
    }

    /** @return the number of operations recorded */
    public int operations() {
        return Math.min(tickets.get(), owners.length());
    }

    /**
     * Asserts that each thread did at least one operation after an operation of another thread and
     * before a later operation of that same other thread.
     */
    public void assertInterleaved() {
        int n = operations();
        assertThat(tickets.get()).as("operations recorded, within the witness's bound").isLessThanOrEqualTo(owners.length());
        int[] first = new int[threads];
        int[] last = new int[threads];
        Arrays.fill(first, Integer.MAX_VALUE);
        Arrays.fill(last, -1);
        for (int i = 0; i < n; i++) {
            int t = owners.get(i) - 1;
            first[t] = Math.min(first[t], i);
            last[t] = i;
        }
        for (int t = 0; t < threads; t++) {
            assertThat(last[t]).as("operations of thread %d", t).isGreaterThanOrEqualTo(0);
        }
        for (int t = 0; t < threads; t++) {
            boolean between = false;
            for (int i = 0; i < n && !between; i++) {
                if (owners.get(i) - 1 != t) {
                    continue;
                }
                for (int u = 0; u < threads && !between; u++) {
                    between = u != t && first[u] < i && i < last[u];
                }
            }
            assertThat(between).as("thread %d did an operation between two of another thread's (of %d operations)", t, n).isTrue();
        }
    }

    /**
     * A barrier whose waiters take their vCPU's interrupts ({@link Apic#idleUntil}), as a CPU waiting in
     * user mode does: a vCPU still running may need one of them to take its TLB-flush IPI before it can
     * reach the barrier itself. A failed or late thread breaks it for all.
     */
    private static final class Barrier {
        private final int parties;
        private final AtomicInteger arrived = new AtomicInteger();
        private volatile int generation;
        private volatile boolean broken;

        Barrier(int parties) {
            this.parties = parties;
        }

        void await() {
            int gen = generation;
            if (broken) {
                throw new IllegalStateException("another thread of the test failed before the barrier");
            }
            if (arrived.incrementAndGet() == parties) {
                arrived.set(0);
                generation = gen + 1;
                return;
            }
            boolean done = Apic.idleUntil(() -> generation != gen || broken || Thread.currentThread().isInterrupted(),
                    TimeUnit.SECONDS.toNanos(BARRIER_TIMEOUT_SECONDS));
            if (generation != gen) {
                return;
            }
            broken = true;
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted at a barrier");
            }
            if (!done) {
                throw new IllegalStateException("not every thread reached the barrier within " + BARRIER_TIMEOUT_SECONDS + " s");
            }
            throw new IllegalStateException("another thread of the test failed before the barrier");
        }
    }
}
