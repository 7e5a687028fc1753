package io.pvmm.backend.xen.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.tck.Interleaving;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.DisplayName;

/**
 * vCPU threads map and unmap the same data frames in their own pinned address spaces at once, in and
 * out of lazy MMU mode, with write-protects through trapped writes; the type counts of the shared
 * frames must come out exact.
 */
class ConcurrentVcpusTest {

    private static final int VCPUS = 4;
    private static final int OPS = 1500;
    private static final long VA = 0x0804_8000L;
    private static final int SLOTS = 64;

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("concurrent updates from several vCPUs, interleaved, leave every mapping as its vCPU left it and the audit clean")
    void concurrentUpdates(PagingMode mode) throws Exception {
        MiniGuest g = new MiniGuest(mode, VCPUS, Map.of()).boot();
        long[] data = new long[32];
        for (int i = 0; i < data.length; i++) {
            data[i] = g.alloc();
        }
        long[] roots = new long[VCPUS];
        for (int t = 0; t < VCPUS; t++) {
            roots[t] = g.newRoot();
            g.ptePage(roots[t], VA);
            g.ops.dupMmap(g.swapper, roots[t]);
        }

        Interleaving witness = new Interleaving(VCPUS, VCPUS * 2 * (OPS + 64));
        ExecutorService pool = Executors.newFixedThreadPool(VCPUS);
        List<Future<long[]>> results = new ArrayList<>();
        for (int t = 0; t < VCPUS; t++) {
            int cpu = t;
            results.add(pool.submit(() -> run(g, cpu, roots[cpu], data, new SplittableRandom(42 + cpu), witness)));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        for (int t = 0; t < VCPUS; t++) {
            long[] expected = results.get(t).get();
            for (int s = 0; s < SLOTS; s++) {
                assertThat(g.mapped(roots[t], VA + s * 4096L)).as("vCPU %d slot %d", t, s).isEqualTo(expected[s]);
            }
        }
        witness.assertInterleaved();
        assertThat(g.ops.audit()).isEmpty();
        assertThat(g.counter("multicalls")).isPositive();
        assertThat(g.counter("emulated-writes")).isPositive();
    }

    /** One vCPU's seeded stream; returns the frame each slot maps at the end (-1 for none). */
    private static long[] run(MiniGuest g, int cpu, long root, long[] data, SplittableRandom rnd, Interleaving witness) {
        g.context.runAs(cpu);
        g.ops.writeCr3(root);
        witness.start();
        int checkpoints = 0;
        long[] mapped = new long[SLOTS];
        java.util.Arrays.fill(mapped, -1);
        int done = 0;
        while (done < OPS) {
            if (checkpoints < 2 && done >= (checkpoints + 1) * OPS / 3) {
                checkpoints++;
                witness.checkpoint();
            }
            boolean lazy = rnd.nextBoolean();
            if (lazy) {
                g.ops.enterLazyMmu();
            }
            int n = 1 + rnd.nextInt(40);
            for (int i = 0; i < n; i++, done++) {
                witness.record(cpu);
                int slot = rnd.nextInt(SLOTS);
                long va = VA + slot * 4096L;
                if (rnd.nextInt(4) == 0) {
                    g.ops.pteClear(root, va, g.ptePa(root, va));
                    mapped[slot] = -1;
                } else {
                    long frame = data[rnd.nextInt(data.length)];
                    g.map(root, va, frame, rnd.nextBoolean() ? EntryBits.PAGE_SHARED : EntryBits.PAGE_READONLY);
                    mapped[slot] = frame;
                }
            }
            if (lazy) {
                g.ops.leaveLazyMmu();
            }
            int slot = rnd.nextInt(SLOTS);
            long ptePa = g.ptePa(root, VA + slot * 4096L);
            long raw = g.memory.readEntry(ptePa);
            if (EntryBits.isPresent(raw)) {
                g.ops.writeFault(ptePa, raw & ~EntryBits.RW); // ptep_set_wrprotect, a hook-less store
            }
        }
        return mapped;
    }
}
