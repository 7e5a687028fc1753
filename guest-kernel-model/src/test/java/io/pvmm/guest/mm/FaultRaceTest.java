package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.Guests;
import io.pvmm.guest.Interleaving;
import io.pvmm.guest.arch.KernelLayout;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.observe.CountingOps;
import io.pvmm.guest.observe.Hook;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two threads of one process fault the same page on two vCPUs. Each fault is held, through
 * {@link MmFault#onBeforePteLock}, where it has its page and is about to take the pte lock, until the
 * other gets there too: both have allocated before either installs, so exactly one must back out.
 */
@DisplayName("handle_pte_fault: sibling threads faulting one page at once, allocation outside the pte lock")
class FaultRaceTest {

    private static final GuestConfig TWO_VCPUS = GuestConfig.DEFAULTS.withMemoryMib(64).withVcpus(2);
    private static final long HEAP = 0x4000_0000L;
    private static final long FILE = 0x6000_0000L;
    private static final int FILE_ID = 42;
    private static final long ZERO_PFN = KernelLayout.EMPTY_ZERO_PAGE >>> 12;

    /** A booted guest with task 1 (pid 1) exec'd and a second thread (tid 2) sharing its mm. */
    private record Guest(GuestKernel k, CountingOps counts, Processes p, MmFault memory) {

        static Guest start(PagingMode mode) {
            Guests.Booted g = Guests.boot(mode, TWO_VCPUS);
            Processes p = g.kernel().processes();
            p.spawnKernelThread(1);
            assertThat(p.exec(1, ExecImage.DEFAULT)).isEqualTo(Outcome.OK);
            assertThat(p.cloneThread(1, 2)).isEqualTo(Outcome.OK);
            return new Guest(g.kernel(), g.counts(), p, memoryOf(g.kernel()));
        }

        MmStruct mm(int pid) {
            return p.task(pid).mm();
        }

        long mapped(int pid, long va) {
            return k.mmu().translate(mm(pid).pgd(), va).pfn();
        }

        /** Everything exits and the caches are dropped: every frame the run took is back. */
        void assertNothingLeaksAtShutdown() {
            k.shutdown();
            assertThat(k.pool().freePages() + k.kernelPtePages()).as("free pages after shutdown").isEqualTo(k.bootFreePages());
        }
    }

    /**
     * Tasks {@code a} and {@code b} fault {@code va} at once, {@code a} on vCPU 0 and {@code b} on vCPU
     * 1; each is held before the pte lock until both are there.
     *
     * @return the page each fault held at the lock, by vCPU
     */
    private static long[] race(Guest g, int a, int b, long va, boolean write) throws InterruptedException {
        CyclicBarrier bothHold = new CyclicBarrier(2);
        long[] held = {-1, -1};
        g.memory().onBeforePteLock(page -> {
            held[VcpuThread.currentId()] = page;
            try {
                bothHold.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("the other fault never reached the pte lock with its page", e);
            }
        });
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Outcome[] outcomes = new Outcome[2];
        int[] tasks = {a, b};
        List<Thread> threads = new ArrayList<>();
        for (int cpu = 0; cpu < 2; cpu++) {
            int id = cpu;
            threads.add(new VcpuThread(cpu, "vcpu-" + cpu, () -> {
                try {
                    outcomes[id] = g.p().touch(tasks[id], va, write);
                    g.p().idle();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        threads.forEach(t -> t.setDaemon(true)); // a fault stuck on the pte lock must not keep the JVM alive
        try {
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(t.isAlive()).as("%s finished", t.getName()).isFalse();
            }
        } finally {
            g.memory().onBeforePteLock(null);
        }
        assertThat(failure.get()).isNull();
        assertThat(outcomes).containsOnly(Outcome.OK);
        return held;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("do_anonymous_page: both threads allocate a page, one maps it, the other's page goes back to the free pool")
    void anonymousWrite(PagingMode mode) throws InterruptedException {
        Guest g = Guest.start(mode);
        g.p().mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        assertThat(g.p().touch(1, HEAP + 0x8000, true)).as("the pte page exists before the race").isEqualTo(Outcome.OK);
        long free = g.k().pool().freePages();
        long setPteAt = g.counts().count(Hook.setPteAt);
        long rss = g.mm(1).rss().get();

        long[] held = race(g, 1, 2, HEAP, true);

        assertThat(held[0]).isNotEqualTo(held[1]).isNotNegative();
        assertThat(held[1]).isNotNegative();
        long winner = g.mapped(1, HEAP);
        long loser = winner == held[0] ? held[1] : held[0];
        assertThat(winner).as("the mapped page is one of the two allocated").isIn(held[0], held[1]);
        assertThat(g.k().pool().isFree(loser)).as("the loser's page is free again").isTrue();
        assertThat(g.k().pool().isFree(winner)).isFalse();
        assertThat(g.k().pages().count(winner)).isEqualTo(1);
        assertThat(g.k().pool().freePages()).as("one fault's cost: one page").isEqualTo(free - 1);
        assertThat(g.counts().count(Hook.setPteAt)).as("one set_pte_at").isEqualTo(setPteAt + 1);
        assertThat(g.mm(1).rss().get()).isEqualTo(rss + 1);
        g.assertNothingLeaksAtShutdown();
    }

    @Test
    @DisplayName("do_anonymous_page on read: both threads take the zero page, one maps it, nothing is allocated")
    void zeroPageRead() throws InterruptedException {
        Guest g = Guest.start(PagingMode.TWO_LEVEL);
        g.p().mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        g.p().touch(1, HEAP + 0x8000, true);
        long free = g.k().pool().freePages();
        long setPteAt = g.counts().count(Hook.setPteAt);
        long rss = g.mm(1).rss().get();

        long[] held = race(g, 1, 2, HEAP, false);

        assertThat(held).containsOnly(ZERO_PFN);
        assertThat(g.mapped(2, HEAP)).isEqualTo(ZERO_PFN);
        assertThat(g.k().pool().freePages()).isEqualTo(free);
        assertThat(g.counts().count(Hook.setPteAt)).isEqualTo(setPteAt + 1);
        assertThat(g.mm(1).rss().get()).as("the zero page's pte counted once").isEqualTo(rss + 1);
        g.assertNothingLeaksAtShutdown();
    }

    @Test
    @DisplayName("do_no_page, private write: both copy the file page, one copy is mapped, the other is freed, the page cache keeps only its own reference")
    void privateFileWrite() throws InterruptedException {
        Guest g = Guest.start(PagingMode.PAE);
        g.p().mmap(1, FILE, 1 << 16, Vma.READ | Vma.WRITE, FILE_ID, 0);
        g.p().touch(1, FILE + 0x8000, false);
        long free = g.k().pool().freePages();
        long setPteAt = g.counts().count(Hook.setPteAt);

        long[] held = race(g, 1, 2, FILE, true);

        assertThat(held[0]).isNotEqualTo(held[1]);
        long winner = g.mapped(1, FILE);
        long loser = winner == held[0] ? held[1] : held[0];
        assertThat(winner).isIn(held[0], held[1]);
        assertThat(g.k().pool().isFree(loser)).as("the losing copy is free again").isTrue();
        assertThat(g.k().pages().count(winner)).isEqualTo(1);
        assertThat(g.k().pool().freePages()).as("the cached file page and one copy").isEqualTo(free - 2);
        assertThat(g.counts().count(Hook.setPteAt)).isEqualTo(setPteAt + 1);
        g.assertNothingLeaksAtShutdown();
    }

    @Test
    @DisplayName("do_no_page, read: both get the cached page, one maps it, the other drops the reference nopage took")
    void fileRead() throws InterruptedException {
        Guest g = Guest.start(PagingMode.TWO_LEVEL);
        g.p().mmap(1, FILE, 1 << 16, Vma.READ | Vma.WRITE, FILE_ID, 0);
        g.p().touch(1, FILE + 0x8000, false);
        long free = g.k().pool().freePages();
        long setPteAt = g.counts().count(Hook.setPteAt);

        long[] held = race(g, 1, 2, FILE, false);

        assertThat(held[0]).isEqualTo(held[1]);
        assertThat(g.mapped(2, FILE)).isEqualTo(held[0]);
        assertThat(g.k().pages().count(held[0])).as("the page cache's reference and the one mapping").isEqualTo(2);
        assertThat(g.k().pool().freePages()).isEqualTo(free - 1);
        assertThat(g.counts().count(Hook.setPteAt)).isEqualTo(setPteAt + 1);
        g.assertNothingLeaksAtShutdown();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("do_wp_page: two threads of a forked child both copy a shared page with the lock dropped; one copy replaces it, the other is freed")
    void copyOnWrite(PagingMode mode) throws InterruptedException {
        Guest g = Guest.start(mode);
        g.p().mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        g.p().touch(1, HEAP, true);
        long shared = g.mapped(1, HEAP);
        assertThat(g.p().fork(1, 3)).isEqualTo(Outcome.OK);
        assertThat(g.p().cloneThread(3, 4)).isEqualTo(Outcome.OK);
        assertThat(g.k().pages().count(shared)).isEqualTo(2);
        long free = g.k().pool().freePages();
        long setPteAt = g.counts().count(Hook.setPteAt);
        long pteUpdate = g.counts().count(Hook.pteUpdate);

        long[] held = race(g, 3, 4, HEAP, true);

        assertThat(held[0]).isNotEqualTo(held[1]);
        long winner = g.mapped(3, HEAP);
        long loser = winner == held[0] ? held[1] : held[0];
        assertThat(winner).isIn(held[0], held[1]);
        assertThat(g.k().mmu().translate(g.mm(3).pgd(), HEAP).writable()).isTrue();
        assertThat(g.k().pool().isFree(loser)).as("the losing copy is free again").isTrue();
        assertThat(g.k().pages().count(winner)).isEqualTo(1);
        assertThat(g.mapped(1, HEAP)).isEqualTo(shared);
        assertThat(g.k().pages().count(shared)).as("only the parent maps the old page; both held references are gone").isEqualTo(1);
        assertThat(g.k().pool().freePages()).isEqualTo(free - 1);
        assertThat(g.counts().count(Hook.setPteAt)).as("one set_pte_at").isEqualTo(setPteAt + 1);
        assertThat(g.counts().count(Hook.pteUpdate)).as("one ptep_clear_flush").isEqualTo(pteUpdate + 1);
        g.assertNothingLeaksAtShutdown();
    }

    @RepeatedTest(value = 4, name = "seed {currentRepetition}")
    @DisplayName("three threads fault the same pages in seeded, interleaved orders, reads and writes mixed: each pte counted once, each page held once, nothing leaks")
    void freeForAll(RepetitionInfo rep) throws InterruptedException {
        Guests.Booted booted = Guests.boot(PagingMode.PAE, GuestConfig.DEFAULTS.withMemoryMib(64).withVcpus(3));
        GuestKernel k = booted.kernel();
        Processes p = k.processes();
        p.spawnKernelThread(1);
        assertThat(p.exec(1, ExecImage.DEFAULT)).isEqualTo(Outcome.OK);
        p.cloneThread(1, 2);
        p.cloneThread(1, 3);
        int pages = 48;
        p.mmap(1, HEAP, (long) pages << 12, Vma.READ | Vma.WRITE, 0, 0);
        p.mmap(1, FILE, (long) pages << 12, Vma.READ | Vma.WRITE, FILE_ID, 0);
        MmStruct mm = p.task(1).mm();
        long rss = mm.rss().get();

        SplittableRandom seeds = new SplittableRandom(rep.getCurrentRepetition());
        Interleaving witness = new Interleaving(3, 3 * 2 * pages);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int cpu = 0; cpu < 3; cpu++) {
            int tid = cpu + 1;
            SplittableRandom rnd = seeds.split();
            threads.add(new VcpuThread(cpu, "vcpu-" + cpu, () -> {
                try {
                    int[] order = new int[2 * pages];
                    for (int i = 0; i < order.length; i++) {
                        order[i] = i;
                    }
                    for (int i = order.length - 1; i > 0; i--) {
                        int j = rnd.nextInt(i + 1);
                        int t = order[i];
                        order[i] = order[j];
                        order[j] = t;
                    }
                    witness.start();
                    for (int i = 0; i < order.length; i++) {
                        if (i == order.length / 3 || i == 2 * order.length / 3) {
                            witness.checkpoint();
                        }
                        witness.record(tid - 1);
                        int n = order[i];
                        long va = (n < pages ? HEAP : FILE) + ((long) (n % pages) << 12);
                        Outcome o = p.touch(tid, va, rnd.nextBoolean());
                        if (o != Outcome.OK) {
                            throw new AssertionError("touch 0x" + Long.toHexString(va) + ": " + o);
                        }
                    }
                    p.idle();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        threads.forEach(t -> t.setDaemon(true));
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(t.isAlive()).as("%s finished", t.getName()).isFalse();
        }
        assertThat(failure.get()).isNull();
        witness.assertInterleaved();

        assertThat(mm.rss().get()).as("every pte of both vmas, counted once").isEqualTo(rss + 2L * pages);
        for (int i = 0; i < pages; i++) {
            long pfn = k.mmu().translate(mm.pgd(), HEAP + ((long) i << 12)).pfn();
            assertThat(k.pool().isFree(pfn)).isFalse();
            if (pfn != ZERO_PFN) {
                assertThat(k.pages().count(pfn)).as("anonymous page %d held by its one pte", i).isEqualTo(1);
            }
        }
        k.shutdown();
        assertThat(k.pool().freePages() + k.kernelPtePages()).as("free pages after shutdown").isEqualTo(k.bootFreePages());
    }

    private static MmFault memoryOf(GuestKernel k) {
        try {
            java.lang.reflect.Method m = GuestKernel.class.getDeclaredMethod("mmFault");
            m.setAccessible(true);
            return (MmFault) m.invoke(k);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
