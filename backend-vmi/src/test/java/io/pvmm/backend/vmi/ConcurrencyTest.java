package io.pvmm.backend.vmi;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.tck.Interleaving;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Several vCPU threads announce, write (some in lazy mode), link, unlink and release their own tables
 * at once, sharing one page directory as processes share a kernel one; afterwards every shadow equals
 * its guest table and the counters add up. Seeded and bounded.
 */
class ConcurrencyTest {

    private static final int VCPUS = 4;
    private static final int ROUNDS = 300;
    private static final long SHARED_PD = 0x200;

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("vCPUs working at once leave every shadow equal to its table")
    void concurrentVcpusKeepShadowsRight(PagingMode mode) throws Exception {
        TestGuest guest = new TestGuest(mode, VCPUS, Map.of());
        VmiOps ops = guest.ops();
        ops.allocPd(SHARED_PD);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        int entries = mode.entriesPerFrame();
        long[] liveAtEnd = new long[VCPUS];
        Interleaving witness = new Interleaving(VCPUS, VCPUS * ROUNDS);
        for (int cpu = 0; cpu < VCPUS; cpu++) {
            int id = cpu;
            threads.add(new Thread(() -> {
                try {
                    guest.becomeCpu(id);
                    SplittableRandom random = new SplittableRandom(1000 + id);
                    long base = 0x400 + id * 0x40L; // this vCPU's own frames; stripes shared with the others
                    BitSet live = new java.util.BitSet();
                    witness.start();
                    for (int round = 0; round < ROUNDS; round++) {
                        if (round == ROUNDS / 3 || round == 2 * ROUNDS / 3) {
                            witness.checkpoint();
                        }
                        witness.record(id);
                        long pt = base + random.nextInt(0x40);
                        int slot = id * (entries / VCPUS) + (int) (pt - base) % (entries / VCPUS);
                        if (ops.pager().typeOf(pt) == PageTypeChecker.NORMAL) {
                            guest.memory().clearFrame(pt);
                            ops.allocPt(pt);
                            ops.setPmd(guest.pa(SHARED_PD, slot), guest.link(pt));
                            live.set((int) (pt - base));
                        }
                        boolean lazy = random.nextBoolean();
                        if (lazy) {
                            ops.enterLazyMmu();
                        }
                        for (int k = 0; k < 8; k++) {
                            int i = random.nextInt(entries);
                            ops.setPteAt(0, 0, guest.pa(pt, i), guest.entry(random.nextInt(4096), EntryBits.PAGE_SHARED));
                        }
                        if (lazy) {
                            ops.leaveLazyMmu();
                        }
                        if (random.nextInt(4) == 0) {
                            ops.pmdClear(guest.pa(SHARED_PD, slot));
                            ops.releasePt(pt);
                            live.clear((int) (pt - base));
                        }
                    }
                    liveAtEnd[id] = live.cardinality();
                } catch (Throwable t) {
                    errors.add(t);
                }
            }, "vcpu-" + cpu));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(60_000);
            assertThat(t.isAlive()).as("%s finished", t.getName()).isFalse();
        }
        assertThat(errors).isEmpty();
        witness.assertInterleaved();
        assertThat(ops.audit()).isEmpty();
        long typed = ops.pager().liveShadows().size();
        assertThat(ops.counters()).containsEntry("shadows-live", typed);
        // the shared page directory, and each vCPU's own pte pages that it announced and did not release
        assertThat(typed).isEqualTo(1 + Arrays.stream(liveAtEnd).sum());
    }
}
