package io.pvmm.guest.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.Guests;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestClock;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.observe.Hook;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.mockito.Mockito;

@DisplayName("pgtable.c: pgd and pmd caches, pgd_list, pgd_alloc and pgd_free")
class PgTableTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(32);

    @Nested
    @DisplayName("in 2-level mode")
    class TwoLevel {

        @Test
        @DisplayName("pgd_ctor runs once per slab object constructed, not on every pgd_alloc")
        void ctorPerSlabObject() {
            Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL);
            PgTable pgt = g.kernel().pgTable();
            long first = pgt.pgdAlloc();
            pgt.pgdFree(first);
            long again = pgt.pgdAlloc();
            assertThat(again).as("the cached object comes back").isEqualTo(first);
            assertThat(g.counts().count(Hook.allocPdClone)).isEqualTo(1);
            long second = pgt.pgdAlloc();
            assertThat(g.counts().count(Hook.allocPdClone)).isEqualTo(2);
            assertThat(pgt.pgdListSnapshot()).as("pgd_list_add puts the newest root at the head").containsExactly(second, first);
        }

        @Test
        @DisplayName("under pgd_lock, pgd_list is walked in place through one read-only view; a snapshot is a copy for after the unlock")
        void pgdListViewAndSnapshot() {
            Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL);
            PgTable pgt = g.kernel().pgTable();
            long first = pgt.pgdAlloc();
            Set<Long> view;
            pgt.pgdLock().lock();
            try {
                view = pgt.pgdListLocked();
                assertThat(pgt.pgdListLocked()).as("no copy per walk").isSameAs(view);
                assertThat(view).containsExactly(first);
                assertThatThrownBy(() -> view.add(0x1234_5000L))
                        .isInstanceOf(UnsupportedOperationException.class);
                assertThatThrownBy(() -> view.remove(first))
                        .isInstanceOf(UnsupportedOperationException.class);
            } finally {
                pgt.pgdLock().unlock();
            }
            List<Long> snapshot = pgt.pgdListSnapshot();
            long second = pgt.pgdAlloc();
            assertThat(snapshot).as("the snapshot does not follow the list").containsExactly(first);
            assertThat(view).as("the view is the list itself, newest at the head").containsExactly(second, first);
            assertThat(pgt.pgdListSnapshot()).containsExactly(second, first);
            assertThatThrownBy(pgt::pgdListLocked)
                    .as("walking without the lock").isInstanceOf(IllegalStateException.class);
        }

        @Test
        @DisplayName("alloc_pd_clone comes under pgd_lock, after the user half is zeroed and the kernel half copied, before pgd_list_add")
        void cloneUnderLock() {
            GuestKernel[] k = new GuestKernel[1];
            List<String> seen = new ArrayList<>();
            ParavirtOps[] spy = new ParavirtOps[1];
            k[0] = Guests.boot(PagingMode.TWO_LEVEL, SMALL, PlatformRequirements.NONE, o -> spy[0] = Mockito.spy(o)).kernel();
            Mockito.doAnswer(inv -> {
                long pfn = inv.getArgument(0);
                long pgd = pfn << 12;
                PgTable pgt = k[0].pgTable();
                seen.add("locked=" + pgt.pgdLock().isHeldByCurrentThread());
                seen.add("listed=" + pgt.pgdListLocked().contains(pgd));
                long swapper = k[0].layout().swapperPgDir();
                boolean userZero = true;
                for (int i = 0; i < 768; i++) {
                    userZero &= k[0].physicalMemory().readEntry(pgd + i * 4L) == 0;
                }
                boolean kernelCopied = true;
                for (int i = 768; i < 1024; i++) {
                    kernelCopied &= k[0].physicalMemory().readEntry(pgd + i * 4L) == k[0].physicalMemory().readEntry(swapper + i * 4L);
                }
                seen.add("userZero=" + userZero);
                seen.add("kernelCopied=" + kernelCopied);
                seen.add("args=" + inv.getArgument(1).equals(k[0].layout().swapperPfn()) + "," + inv.getArgument(2) + "," + inv.getArgument(3));
                return inv.callRealMethod();
            }).when(spy[0]).allocPdClone(Mockito.anyLong(), Mockito.anyLong(), Mockito.anyInt(), Mockito.anyInt());
            k[0].pgTable().pgdAlloc();
            assertThat(seen).containsExactly("locked=true", "listed=false", "userZero=true", "kernelCopied=true", "args=true,768,256");
        }

        @Test
        @DisplayName("a freed root stays announced and listed; shrinking the cache runs pgd_dtor: release_pd, then off pgd_list")
        void dtorOnShrink() {
            Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL);
            PgTable pgt = g.kernel().pgTable();
            long pgd = pgt.pgdAlloc();
            pgt.pgdFree(pgd);
            assertThat(g.counts().count(Hook.releasePd)).isZero();
            assertThat(pgt.pgdListSnapshot()).contains(pgd);
            pgt.shrinkCaches();
            assertThat(g.counts().count(Hook.releasePd)).isEqualTo(1);
            assertThat(pgt.pgdListSnapshot()).doesNotContain(pgd);
            assertThat(g.kernel().pool().isFree(pgd >>> 12)).isTrue();
        }

        @Test
        @DisplayName("after alloc and free, shrinking gives every frame back: the free pool is as boot left it")
        void noLeak() {
            Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL);
            PgTable pgt = g.kernel().pgTable();
            List<Long> roots = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                roots.add(pgt.pgdAlloc());
            }
            roots.forEach(pgt::pgdFree);
            pgt.shrinkCaches();
            assertThat(g.kernel().pool().freePages()).isEqualTo(g.kernel().bootFreePages());
            assertThat(g.counts().count(Hook.allocPdClone)).isEqualTo(g.counts().count(Hook.releasePd)).isEqualTo(5);
        }

        @Test
        @DisplayName("enable_cpucache: page-sized pgds get a per-CPU array of limit 24, batchcount 12, and free_limit (1 + cpus) * 12 + 1")
        void enableCpucache() {
            PgTable pgt = Guests.boot(PagingMode.TWO_LEVEL, SMALL.withVcpus(2)).kernel().pgTable();
            assertThat(pgt.pgdCache().limit()).isEqualTo(24); // 1024 < 4096 <= PAGE_SIZE
            assertThat(pgt.pgdCache().batchcount()).isEqualTo(12); // (limit + 1) / 2
            assertThat(pgt.pgdCache().freeLimit()).isEqualTo(3 * 12 + 1);
        }

        @Test
        @DisplayName("kmem_cache_free then kmem_cache_alloc: a pgd freed and allocated again comes back as the same object, last in first out, with no hook between")
        void lifoReuse() {
            Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL);
            PgTable pgt = g.kernel().pgTable();
            long a = pgt.pgdAlloc();
            long b = pgt.pgdAlloc();
            long clones = g.counts().count(Hook.allocPdClone);
            pgt.pgdFree(a);
            pgt.pgdFree(b);
            assertThat(pgt.pgdAlloc()).as("the last freed first").isEqualTo(b);
            assertThat(pgt.pgdAlloc()).isEqualTo(a);
            assertThat(g.counts().count(Hook.allocPdClone)).isEqualTo(clones);
            assertThat(g.counts().count(Hook.releasePd)).isZero();
        }

        @Test
        @DisplayName("free_block: pgds freed beyond the CPU's array, the shared array and free_limit run pgd_dtor (release_pd) at once")
        void freeBeyondLimits() {
            Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, GuestConfig.DEFAULTS.withMemoryMib(64));
            PgTable pgt = g.kernel().pgTable();
            List<Long> roots = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                roots.add(pgt.pgdAlloc());
            }
            roots.forEach(pgt::pgdFree);
            // The CPU's array fills to 24; each free into a full array first moves its 12 oldest out
            // (cache_flusharray): 15 flushes for the 176 frees after the 24th, leaving 20 in the array.
            // The first 8 flushes fill the shared array (8 * 12 = 96); the other 7 (84 pgds) go back to
            // their slabs (free_block), where 25 wholly free slabs stay (free_limit = 2 * 12 + 1) and
            // each further one is destroyed: 84 - 25 = 59 pgd_dtor calls.
            assertThat(g.counts().count(Hook.releasePd)).isEqualTo(200 - 20 - 96 - 25);
            assertThat(pgt.pgdCache().slabPages()).isEqualTo(20 + 96 + 25);
        }

        @Test
        @DisplayName("cache_reap on an idle CPU: the first reap only clears the arrays' touched mark; later ones release every cached pgd, and the next pgd_alloc runs pgd_ctor again")
        void cacheReapReleasesIdlePgds() {
            Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL);
            GuestKernel k = g.kernel();
            PgTable pgt = k.pgTable();
            List<Long> roots = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                roots.add(pgt.pgdAlloc());
            }
            roots.forEach(pgt::pgdFree);
            long clones = g.counts().count(Hook.allocPdClone);
            assertThat(g.counts().count(Hook.releasePd)).isZero();

            k.spend(GuestClock.NANOS_PER_JIFFY * GuestClock.HZ); // one second: CPU 0's first cache_reap
            assertThat(g.counts().count(Hook.releasePd)).as("touched since boot: the first reap only clears the mark").isZero();
            for (int s = 0; s < 120; s += 2) { // two minutes of idle guest time, a reap every 2 s
                k.spend(GuestClock.NANOS_PER_JIFFY * GuestClock.REAPTIMEOUT_CPUC);
            }
            assertThat(g.counts().count(Hook.releasePd)).isEqualTo(30);
            assertThat(pgt.pgdCache().slabPages()).isZero();
            assertThat(pgt.pgdListSnapshot()).isEmpty();
            pgt.pgdAlloc();
            assertThat(g.counts().count(Hook.allocPdClone)).as("a new object: pgd_ctor, alloc_pd_clone").isEqualTo(clones + 1);
        }
    }

    @Nested
    @DisplayName("in PAE mode with a shared kernel pmd")
    class Pae {

        @Test
        @DisplayName("roots are 32-byte objects, never announced; 128 share a slab page")
        void rootsNotAnnounced() {
            Guests.Booted g = Guests.boot(PagingMode.PAE, SMALL);
            PgTable pgt = g.kernel().pgTable();
            long a = pgt.pgdAlloc();
            long b = pgt.pgdAlloc();
            // cache_alloc_refill pushes a batch onto the CPU's array in slab order and kmem_cache_alloc
            // pops from the top, so consecutive allocations walk down the slab
            assertThat(a - b).isEqualTo(32);
            assertThat(g.counts().count(Hook.allocPdClone)).isZero();
            assertThat(pgt.pgdListSnapshot()).isEmpty();
            assertThat(pgt.pgdCache().slabPages()).isEqualTo(1);
        }

        @Test
        @DisplayName("pgd_alloc announces 3 user pmds, each with alloc_pd before the set_pgd that links it; the kernel entry is swapper's")
        void threeUserPmds() {
            Guests.Spied booted = Guests.spied(PagingMode.PAE, SMALL);
            GuestKernel k = booted.kernel();
            ParavirtOps spy = booted.spy();
            Mockito.clearInvocations(spy);
            long pgd = k.pgTable().pgdAlloc();
            ArgumentCaptor<Long> pmds = ArgumentCaptor.forClass(Long.class);
            Mockito.verify(spy, Mockito.times(3)).allocPd(pmds.capture());
            InOrder order = Mockito.inOrder(spy);
            for (int i = 0; i < 3; i++) {
                long pmd = pmds.getAllValues().get(i);
                order.verify(spy).allocPd(pmd);
                order.verify(spy).setPgd(pgd + i * 8L, (pmd << 12) | EntryBits.PRESENT);
            }
            long swapper = k.layout().swapperPgDir();
            assertThat(k.physicalMemory().readEntry(pgd + 24)).isEqualTo(k.physicalMemory().readEntry(swapper + 24));
        }

        @ParameterizedTest(name = "failing pmd {0}")
        @ValueSource(ints = {1, 2, 3})
        @DisplayName("out of memory at any of the three pmds releases exactly the pmds announced, and nothing leaks")
        void oomUnwind(int failing) {
            // attempts during boot and the pgd slab's growth are deterministic: count them on a dry run
            // (numbered only while injection is on, so with a failure that never comes)
            Guests.Booted dry = Guests.boot(PagingMode.PAE, SMALL.withFailAllocAt(Long.MAX_VALUE));
            long bootAttempts = dry.kernel().pool().failures().attempts();
            long failAt = bootAttempts + 1 /* pgd slab page */ + failing;

            ParavirtOps[] spy = new ParavirtOps[1];
            Guests.Booted g = Guests.boot(PagingMode.PAE, SMALL.withFailAllocAt(failAt), PlatformRequirements.NONE,
                    o -> spy[0] = Mockito.spy(o));
            GuestKernel k = g.kernel();
            Mockito.clearInvocations(spy[0]);
            long pgd = k.pgTable().pgdAlloc();

            assertThat(pgd).isEqualTo(FreePool.NO_FRAME);
            assertThat(k.pool().failures().injected()).isEqualTo(1);
            ArgumentCaptor<Long> announced = ArgumentCaptor.forClass(Long.class);
            ArgumentCaptor<Long> released = ArgumentCaptor.forClass(Long.class);
            Mockito.verify(spy[0], Mockito.times(failing - 1)).allocPd(announced.capture());
            Mockito.verify(spy[0], Mockito.times(failing - 1)).releasePd(released.capture());
            assertThat(released.getAllValues()).containsExactlyInAnyOrderElementsOf(announced.getAllValues());
            k.pgTable().shrinkCaches();
            assertThat(k.pool().freePages()).isEqualTo(k.bootFreePages());
        }

        @Test
        @DisplayName("pgd_free releases the three pmds; the root goes back to the cache")
        void pgdFreeReleases() {
            Guests.Booted g = Guests.boot(PagingMode.PAE, SMALL);
            long pgd = g.kernel().pgTable().pgdAlloc();
            g.kernel().pgTable().pgdFree(pgd);
            assertThat(g.counts().count(Hook.releasePd)).isEqualTo(3);
            assertThat(g.kernel().pgTable().pgdCache().activeObjects()).isZero();
        }
    }

    @Nested
    @DisplayName("in PAE mode with an unshared kernel pmd (2.6.23, as Xen requires)")
    class PaeUnshared {

        private final PlatformRequirements unshared = PlatformRequirements.NONE.withUnsharedKernelPmd();

        @Test
        @DisplayName("each root owns a copy of swapper's kernel pmd, announced like the others; pgd_ctor puts it on pgd_list, "
                + "pgd_free leaves it there and pgd_dtor takes it off when the cache destroys it")
        void ownKernelPmd() {
            GuestKernel k = Guests.boot(PagingMode.PAE, SMALL, unshared, o -> o).kernel();
            long swapper = k.layout().swapperPgDir();
            long pgd = k.pgTable().pgdAlloc();
            long mine = k.tables().read(pgd + 24) & PagingMode.PAE.frameMask();
            long theirs = k.tables().read(swapper + 24) & PagingMode.PAE.frameMask();
            assertThat(mine).isNotEqualTo(theirs);
            for (int i = 0; i < 512; i++) {
                assertThat(k.physicalMemory().readEntry(mine + i * 8L)).isEqualTo(k.physicalMemory().readEntry(theirs + i * 8L));
            }
            assertThat(k.pgTable().pgdListSnapshot()).containsExactly(pgd);
            k.pgTable().pgdFree(pgd);
            assertThat(k.pgTable().pgdListSnapshot()).as("cached, still listed, as 2.6.23's pgd_free leaves it").containsExactly(pgd);
            k.pgTable().shrinkCaches();
            assertThat(k.pgTable().pgdListSnapshot()).isEmpty();
            assertThat(k.pool().freePages()).isEqualTo(k.bootFreePages());
        }

        @Test
        @DisplayName("2.6.23 pgd_ctor: the user entries cleared, then pgd_list_add under pgd_lock, before pgd_alloc announces a "
                + "pmd; pmd_cache_alloc copies swapper's kernel pmd without pgd_lock, and alloc_pd announces the full copy")
        void twoSixTwentyThreeCtorAndAlloc() throws Exception {
            GuestKernel[] k = new GuestKernel[1];
            List<String> seen = new ArrayList<>();
            ParavirtOps[] spy = new ParavirtOps[1];
            k[0] = Guests.boot(PagingMode.PAE, SMALL, unshared, o -> spy[0] = Mockito.spy(o)).kernel();
            assertThat(k[0].config().kernel()).isEqualTo(io.pvmm.api.KernelVersion.V2_6_23);
            long swapperKernelPmd = k[0].tables().read(k[0].layout().swapperPgDir() + 24) & PagingMode.PAE.frameMask();
            Mockito.doAnswer(inv -> {
                long pmd = (long) inv.getArgument(0) << 12;
                boolean copy = true;
                for (int i = 0; i < 512; i++) {
                    copy &= k[0].physicalMemory().readEntry(pmd + i * 8L) == k[0].physicalMemory().readEntry(swapperKernelPmd + i * 8L);
                }
                seen.add("alloc_pd lock=" + k[0].pgTable().pgdLock().isHeldByCurrentThread() + " listed="
                        + k[0].pgTable().pgdListSnapshot().size() + (copy ? " copy" : ""));
                return inv.callRealMethod();
            }).when(spy[0]).allocPd(Mockito.anyLong());

            // a thread holding pgd_lock keeps pgd_ctor's pgd_list_add, and so every pmd of the root, waiting
            java.util.concurrent.locks.ReentrantLock lock = k[0].pgTable().pgdLock();
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Thread holder = new Thread(() -> {
                lock.lock();
                try {
                    held.countDown();
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    lock.unlock();
                }
            });
            holder.start();
            held.await();
            long[] pgd = new long[1];
            Thread alloc = new Thread(() -> pgd[0] = k[0].pgTable().pgdAlloc());
            alloc.start();
            alloc.join(200);
            assertThat(alloc.isAlive()).as("pgd_alloc waits for pgd_lock in pgd_ctor").isTrue();
            synchronized (seen) {
                assertThat(seen).as("no pmd announced while pgd_ctor waits for the lock").isEmpty();
            }
            release.countDown();
            alloc.join(10_000);
            holder.join(10_000);
            assertThat(alloc.isAlive()).isFalse();

            assertThat(seen).containsExactly("alloc_pd lock=false listed=1", "alloc_pd lock=false listed=1",
                    "alloc_pd lock=false listed=1", "alloc_pd lock=false listed=1 copy");
            assertThat(k[0].pgTable().pgdListSnapshot()).containsExactly(pgd[0]);
            for (int i = 0; i < 3; i++) {
                assertThat(k[0].tables().read(pgd[0] + i * 8L) & PagingMode.PAE.frameMask()).as("user pmd %d linked", i).isNotZero();
            }
        }

        @Test
        @DisplayName("pgd_alloc announces four pmds and pgd_free releases four")
        void fourPmds() {
            Guests.Booted g = Guests.boot(PagingMode.PAE, SMALL, unshared, o -> o);
            long before = g.counts().count(Hook.allocPd);
            long pgd = g.kernel().pgTable().pgdAlloc();
            assertThat(g.counts().count(Hook.allocPd) - before).isEqualTo(4);
            g.kernel().pgTable().pgdFree(pgd);
            assertThat(g.counts().count(Hook.releasePd)).isEqualTo(4);
        }
    }
}
