package io.pvmm.guest.hw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.TrappedStore;
import io.pvmm.guest.Guests;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.mm.Vma;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.Mockito;

@DisplayName("write protection: stores into a protected frame trap to the backend")
class StoreTrapsTest {

    private static final long HEAP = 0x0800_0000L;

    @Test
    @DisplayName("a pte written through set_pte_at into a protected pte page traps with its frame, offset, value and vCPU")
    void paravirtWriteIntoProtectedFrameTraps() {
        Guests.Spied g = Guests.spied(PagingMode.TWO_LEVEL, GuestConfig.DEFAULTS);
        Processes p = Guests.startInit(g.kernel());
        p.mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        assertThat(p.touch(1, HEAP, true)).isEqualTo(Processes.Outcome.OK);
        long root = p.task(1).mm().pgd();
        PageTables t = g.kernel().tables();
        long ptePage = t.pfn(t.read(t.pmdEntryFor(root, HEAP)));
        verify(g.spy(), never()).storeTrapped(any());

        g.kernel().physicalMemory().traps().protect(ptePage);
        assertThat(p.touch(1, HEAP + 0x1000, true)).isEqualTo(Processes.Outcome.OK);

        ArgumentCaptor<TrappedStore> c = ArgumentCaptor.forClass(TrappedStore.class);
        verify(g.spy()).storeTrapped(c.capture());
        TrappedStore s = c.getValue();
        assertThat(s.pfn()).isEqualTo(ptePage);
        assertThat(s.offset()).isEqualTo(4 * ((int) (HEAP >>> 12) + 1 & 1023));
        assertThat(s.value()).isEqualTo(Guests.pte(g.kernel(), root, HEAP + 0x1000)).isNotZero();
        assertThat(s.vcpu()).isZero();
        assertThat(s.kind()).isEqualTo(TrappedStore.Kind.ENTRY);
    }

    @Test
    @DisplayName("clear_page of a protected frame traps word by word until the backend unprotects it, then zeroes the rest")
    void clearPageTrapsUntilUnprotected() {
        PhysicalMemory m = new PhysicalMemory(PagingMode.PAE, 64);
        for (int i = 0; i < 512; i++) {
            m.writeEntry(5, i, 0x1000L * i + 0x67);
        }
        List<TrappedStore> seen = new ArrayList<>();
        ParavirtOps ops = Mockito.mock(ParavirtOps.class);
        Mockito.doAnswer(inv -> {
            TrappedStore s = inv.getArgument(0);
            seen.add(s);
            if (seen.size() == 2) {
                m.traps().unprotect(s.pfn());
            }
            return null;
        }).when(ops).storeTrapped(any());
        m.traps().attach(ops, () -> 1);
        m.traps().protect(5);

        m.traps().clearPage(5);

        assertThat(seen).containsExactly(new TrappedStore(5, 0, 0, 1, TrappedStore.Kind.BLOCK),
                new TrappedStore(5, 8, 0, 1, TrappedStore.Kind.BLOCK));
        assertThat(m.isMaterialised(5)).as("the rest zeroed at once").isFalse();
    }

    @Test
    @DisplayName("stores into frames nobody protects never trap")
    void unprotectedFramesNeverTrap() {
        Guests.Spied g = Guests.spied(PagingMode.PAE, GuestConfig.DEFAULTS);
        Processes p = Guests.startInit(g.kernel());
        assertThat(p.fork(1, 2)).isEqualTo(Processes.Outcome.OK);
        assertThat(p.exit(2)).isEqualTo(Processes.Outcome.OK);
        assertThat(g.kernel().physicalMemory().traps().traps(0)).isFalse();
        verify(g.spy(), never()).storeTrapped(any());
    }

    @Test
    @DisplayName("clear_page racing another vCPU that protects the frame and reads it: the backend's copy ends equal to the zeroed frame, whichever went first")
    void clearPageRacingProtectThenRead() throws Exception {
        PhysicalMemory m = new PhysicalMemory(PagingMode.TWO_LEVEL, 64);
        long pfn = 5;
        long[] view = new long[1024];
        Object pagerLock = new Object(); // a backend protects and reads under its lock, and takes it for a trap
        ParavirtOps ops = Mockito.mock(ParavirtOps.class, Mockito.withSettings().stubOnly());
        Mockito.doAnswer(inv -> {
            TrappedStore s = inv.getArgument(0);
            synchronized (pagerLock) {
                view[s.offset() / 4] = s.value();
            }
            return null;
        }).when(ops).storeTrapped(any());
        m.traps().attach(ops, () -> 1);
        CyclicBarrier start = new CyclicBarrier(2);
        CyclicBarrier done = new CyclicBarrier(3);
        int[] sawOld = new int[1];
        int[] sawCleared = new int[1];
        Random seeded = new Random(20);
        int rounds = 0;
        Thread clearer = new Thread(() -> awaitRounds(start, done, () -> m.traps().clearPage(pfn)));
        Thread protector = new Thread(() -> awaitRounds(start, done, () -> {
            synchronized (pagerLock) {
                m.traps().protect(pfn);
                for (int i = 0; i < 1024; i++) {
                    view[i] = m.readEntry((pfn << 12) + 4L * i);
                }
                (view[7] == 0 ? sawCleared : sawOld)[0]++;
            }
        }));
        clearer.setDaemon(true);
        protector.setDaemon(true);
        clearer.start();
        protector.start();
        while (rounds < 20_000 && (sawOld[0] < 5 || sawCleared[0] < 5)) {
            m.traps().unprotect(pfn);
            long fill = 0x1000L * (1 + seeded.nextInt(1 << 19)) | 0x67;
            for (int i = 0; i < 1024; i++) {
                m.writeEntry((pfn << 12) + 4L * i, fill);
            }
            done.await(10, TimeUnit.SECONDS); // both threads start the round
            done.await(10, TimeUnit.SECONDS); // both finished it
            rounds++;
            synchronized (pagerLock) {
                assertThat(Arrays.stream(view).filter(v -> v != 0).count())
                        .as("round %d: entries of the backend's copy not zero after clear_page", rounds).isZero();
            }
        }
        clearer.interrupt();
        protector.interrupt();
        assertThat(sawOld[0]).as("rounds where the protect and read went before the clear (witness)").isGreaterThanOrEqualTo(5);
        assertThat(sawCleared[0]).as("rounds where the clear went first (witness)").isGreaterThanOrEqualTo(5);
    }

    /** Runs {@code step} once per round: a round opens and closes on {@code done}, both threads meet on {@code start}. */
    private static void awaitRounds(CyclicBarrier start, CyclicBarrier done, Runnable step) {
        try {
            while (true) {
                done.await();
                start.await();
                step.run();
                done.await();
            }
        } catch (InterruptedException | java.util.concurrent.BrokenBarrierException e) {
            Thread.currentThread().interrupt();
        }
    }
}
