package io.pvmm.bench.guest;

import io.pvmm.guest.hw.VcpuThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JMH's worker threads as the guest's vCPUs: each worker is a {@link VcpuThread} numbered from
 * 0, so a benchmark with {@code @Threads(2)} runs on vCPUs 0 and 1 as {@code smp_processor_id()}
 * sees them. Selected with {@code -Djmh.executor=CUSTOM -Djmh.executor.class=} this class; JMH calls
 * the {@code (int, String)} constructor.
 */
public final class VcpuExecutor extends ThreadPoolExecutor {

    /** The JVM options that make JMH use this executor in a fork. */
    public static final String[] JVM_ARGS = {
        "-Djmh.executor=CUSTOM", "-Djmh.executor.class=io.pvmm.bench.guest.VcpuExecutor"};

    /**
     * Creates a fixed pool of vCPU threads.
     *
     * @param threads how many workers JMH wants
     * @param prefix  the name prefix JMH gives its workers
     */
    public VcpuExecutor(int threads, String prefix) {
        super(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), factory(prefix));
    }

    private static java.util.concurrent.ThreadFactory factory(String prefix) {
        AtomicInteger next = new AtomicInteger();
        return body -> {
            int cpu = next.getAndIncrement();
            Thread t = new VcpuThread(cpu, prefix + "-vcpu-" + cpu, body);
            t.setDaemon(true);
            return t;
        };
    }
}
