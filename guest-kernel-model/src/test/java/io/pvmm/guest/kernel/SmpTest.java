package io.pvmm.guest.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.Guests;
import io.pvmm.guest.Interleaving;
import io.pvmm.guest.arch.PageAttr;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.memory.Gfp;
import io.pvmm.guest.mm.Vma;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;

@DisplayName("SMP: vCPU threads share pgd_lock, cpa_lock and pgd_list as the kernel does")
class SmpTest {

    @RepeatedTest(value = 5, name = "seed {currentRepetition}")
    @DisplayName("while two vCPUs fork and exit, interleaved with a third that changes page attributes: every root on pgd_list carries every new kernel entry, and every page left uncached is uncached in each")
    void forksRaceChangePageAttr(org.junit.jupiter.api.RepetitionInfo rep) throws InterruptedException {
        GuestKernel k = Guests.boot(PagingMode.TWO_LEVEL, GuestConfig.DEFAULTS.withMemoryMib(128).withVcpus(3)).kernel();
        Processes p = k.processes();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Interleaving witness = new Interleaving(3, 2 * 60 + 40);
        List<Thread> threads = new ArrayList<>();
        for (int cpu = 0; cpu < 2; cpu++) {
            int base = 1 + cpu * 100_000;
            int me = cpu;
            threads.add(new VcpuThread(cpu, "vcpu-" + cpu, guard(failure, () -> {
                p.spawnKernelThread(base);
                p.exec(base, ExecImage.DEFAULT);
                p.mmap(base, 0x4000_0000L, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
                p.touch(base, 0x4000_0000L, true);
                witness.start();
                for (int i = 1; i <= 60; i++) {
                    if (i == 21 || i == 41) {
                        witness.checkpoint();
                    }
                    witness.record(me);
                    p.fork(base, base + i);
                    p.touch(base + i, 0x4000_0000L, true);
                    if (i % 3 == 0) {
                        p.exit(base + i - 1);
                    }
                }
                p.idle();
            })));
        }
        SplittableRandom rnd = new SplittableRandom(rep.getCurrentRepetition());
        List<Long> leftUncached = new ArrayList<>();
        threads.add(new VcpuThread(2, "vcpu-2", guard(failure, () -> {
            witness.start();
            for (int i = 0; i < 40; i++) {
                if (i == 13 || i == 26) {
                    witness.checkpoint();
                }
                witness.record(2);
                long page = k.pool().alloc(Gfp.KERNEL);
                k.pageAttr().changePageAttr(page, 1, PageAttr.Attr.NOCACHE);
                if (rnd.nextBoolean()) {
                    k.pageAttr().changePageAttr(page, 1, PageAttr.Attr.KERNEL);
                    k.pageAttr().globalFlushTlb();
                    k.pool().free(page);
                } else {
                    leftUncached.add(page);
                }
            }
        })));
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failure.get()).isNull();
        witness.assertInterleaved();
        long swapper = k.layout().swapperPgDir();
        int user = PagingMode.TWO_LEVEL.userPtrsPerPgd();
        List<Long> roots = k.pgTable().pgdListSnapshot();
        assertThat(roots).isNotEmpty();
        for (long root : roots) {
            for (int i = user; i < 1024; i++) {
                long mine = k.physicalMemory().readEntry(root + i * 4L);
                long kernel = k.physicalMemory().readEntry(swapper + i * 4L);
                if (mine != 0) {
                    assertThat(mine).as("root 0x%x, slot %d", root, i).isEqualTo(kernel);
                }
            }
            for (int i = user; i < user + 64; i++) {
                assertThat(k.physicalMemory().readEntry(root + i * 4L)).as("direct-map slot %d of root 0x%x", i, root)
                        .isEqualTo(k.physicalMemory().readEntry(swapper + i * 4L));
            }
        }
        SplittableRandom coins = new SplittableRandom(rep.getCurrentRepetition());
        long tails = IntStream.range(0, 40).filter(i -> !coins.nextBoolean()).count();
        assertThat(leftUncached).as("pages the third vCPU left uncached: the tails of its 40 seeded coins").hasSize((int) tails).isNotEmpty();
        List<Long> everyRoot = new ArrayList<>(roots);
        everyRoot.add(swapper);
        PageTables tables = k.tables();
        for (long page : leftUncached) {
            long va = PagingMode.PAGE_OFFSET + (page << PagingMode.PAGE_SHIFT);
            for (long root : everyRoot) {
                long pmd = tables.read(tables.pmdEntryFor(root, va));
                assertThat(EntryBits.isPresent(pmd) && !EntryBits.isLarge(pmd))
                        .as("page 0x%x in root 0x%x: its large page was split", page, root).isTrue();
                long pte = tables.read(tables.pteOffset(pmd, va));
                assertThat(pte & EntryBits.PCD).as("page 0x%x in root 0x%x: change_page_attr's NOCACHE took effect (PCD)", page, root)
                        .isEqualTo(EntryBits.PCD);
                assertThat(tables.pfn(pte)).as("page 0x%x in root 0x%x: still mapped where the direct map says", page, root)
                        .isEqualTo(page);
            }
        }
    }

    private static Runnable guard(AtomicReference<Throwable> failure, Runnable body) {
        return () -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
    }
}
