package io.pvmm.guest.hw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.PagingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the TLB")
class TlbTest {

    private static final long USER_VA = 0x0804_8000L;
    private static final long KERNEL_VA = 0xC010_0000L;

    private static Mmu.Translation page(long va, long pa, boolean writable, boolean user) {
        return new Mmu.Translation(va, pa, PagingMode.PAGE_SIZE, writable, user, true);
    }

    @Test
    @DisplayName("a cached translation is used without a walk, and a flushed one is fetched again")
    void refetchesFlushedEntry() {
        Tlb tlb = new Tlb(0, TlbGeometry.CORE2, PagingMode.TWO_LEVEL, true);
        assertThat(tlb.lookup(USER_VA + 0x10, Mmu.Access.USER_READ)).isEqualTo(Tlb.MISS);
        tlb.fill(page(USER_VA, 0x123000, true, true), false, true);
        assertThat(tlb.lookup(USER_VA + 0x10, Mmu.Access.USER_READ)).isEqualTo(0x123010);

        tlb.flushNonGlobal();

        assertThat(tlb.lookup(USER_VA + 0x10, Mmu.Access.USER_READ)).as("refetched after the flush").isEqualTo(Tlb.MISS);
        assertThat(tlb.counters().misses()).isEqualTo(2);
        assertThat(tlb.counters().lookups()).isEqualTo(3);
    }

    @Test
    @DisplayName("a global kernel entry survives a CR3 write when PGE is on")
    void globalEntrySurvivesCr3WriteWithPge() {
        Tlb tlb = new Tlb(0, TlbGeometry.CORE2, PagingMode.PAE, true);
        tlb.fill(page(KERNEL_VA, 0x100000, true, false), true, true);
        tlb.fill(page(USER_VA, 0x200000, true, true), false, true);

        tlb.loadCr3(0x5000);

        assertThat(tlb.lookup(KERNEL_VA, Mmu.Access.KERNEL_READ)).isEqualTo(0x100000);
        assertThat(tlb.lookup(USER_VA, Mmu.Access.USER_READ)).isEqualTo(Tlb.MISS);
        assertThat(tlb.cr3()).isEqualTo(0x5000);
    }

    @Test
    @DisplayName("a global kernel entry does not survive a CR3 write when PGE is off")
    void globalEntryGoesWithoutPge() {
        Tlb tlb = new Tlb(0, TlbGeometry.CORE2, PagingMode.PAE, false);
        tlb.fill(page(KERNEL_VA, 0x100000, true, false), true, true);

        tlb.loadCr3(0x5000);

        assertThat(tlb.lookup(KERNEL_VA, Mmu.Access.KERNEL_READ)).isEqualTo(Tlb.MISS);
    }

    @Test
    @DisplayName("a global flush drops global entries too")
    void globalFlushDropsGlobalEntries() {
        Tlb tlb = new Tlb(0, TlbGeometry.CORE2, PagingMode.TWO_LEVEL, true);
        tlb.fill(page(KERNEL_VA, 0x100000, true, false), true, true);

        tlb.flushAll();

        assertThat(tlb.lookup(KERNEL_VA, Mmu.Access.KERNEL_READ)).isEqualTo(Tlb.MISS);
    }

    @Test
    @DisplayName("a stale entry is used until invlpg drops it, and invlpg drops only that page")
    void staleEntryUsedUntilInvlpg() {
        Tlb tlb = new Tlb(0, TlbGeometry.CORE2, PagingMode.TWO_LEVEL, true);
        tlb.fill(page(USER_VA, 0x123000, true, true), false, true);
        tlb.fill(page(USER_VA + 0x1000, 0x124000, true, true), false, true);
        // the tables now map USER_VA elsewhere, but nobody flushed: the hardware keeps the old frame
        assertThat(tlb.lookup(USER_VA, Mmu.Access.USER_WRITE)).isEqualTo(0x123000);
        assertThat(tlb.lookup(USER_VA, Mmu.Access.USER_WRITE)).isEqualTo(0x123000);

        tlb.invlpg(USER_VA);

        assertThat(tlb.lookup(USER_VA, Mmu.Access.USER_WRITE)).isEqualTo(Tlb.MISS);
        assertThat(tlb.lookup(USER_VA + 0x1000, Mmu.Access.USER_WRITE)).isEqualTo(0x124000);
    }

    @Test
    @DisplayName("invlpg drops a global entry too")
    void invlpgDropsGlobalEntry() {
        Tlb tlb = new Tlb(0, TlbGeometry.CORE2, PagingMode.TWO_LEVEL, true);
        tlb.fill(page(KERNEL_VA, 0x100000, true, false), true, true);

        tlb.invlpg(KERNEL_VA + 0x123);

        assertThat(tlb.lookup(KERNEL_VA, Mmu.Access.KERNEL_READ)).isEqualTo(Tlb.MISS);
    }

    @Test
    @DisplayName("a hit that does not allow the access faults and drops the entry")
    void deniedHitFaultsAndDrops() {
        Tlb tlb = new Tlb(0, TlbGeometry.CORE2, PagingMode.TWO_LEVEL, true);
        tlb.fill(page(USER_VA, 0x123000, false, true), false, false);

        assertThat(tlb.lookup(USER_VA, Mmu.Access.USER_WRITE)).isEqualTo(Tlb.FAULT);
        assertThat(tlb.lookup(USER_VA, Mmu.Access.USER_READ)).as("dropped by the fault").isEqualTo(Tlb.MISS);
    }

    @Test
    @DisplayName("a write through an entry whose dirty flag is clear misses, so the walk can set D")
    void writeToCleanEntryMisses() {
        Tlb tlb = new Tlb(0, TlbGeometry.CORE2, PagingMode.TWO_LEVEL, true);
        tlb.fill(page(USER_VA, 0x123000, true, true), false, false);

        assertThat(tlb.lookup(USER_VA, Mmu.Access.USER_READ)).isEqualTo(0x123000);
        assertThat(tlb.lookup(USER_VA, Mmu.Access.USER_WRITE)).isEqualTo(Tlb.MISS);
    }

    @Test
    @DisplayName("a large page is cached once and serves every address in it")
    void largePageServesItsRange() {
        Tlb tlb = new Tlb(0, TlbGeometry.CORE2, PagingMode.PAE, true);
        tlb.fill(new Mmu.Translation(0xC000_0000L, 0, 2 << 20, true, false, true), true, true);

        assertThat(tlb.lookup(0xC01F_F123L, Mmu.Access.KERNEL_WRITE)).isEqualTo(0x1F_F123L);
        assertThat(tlb.lookup(0xC020_0000L, Mmu.Access.KERNEL_WRITE)).isEqualTo(Tlb.MISS);
        assertThat(tlb.size()).isEqualTo(1);
    }

    @Test
    @DisplayName("a full set evicts its least recently used entry, and the other sets keep theirs")
    void evictsLeastRecentlyUsedInSet() {
        // 8 entries, 2 ways: 4 sets; pages 0, 4, 8 fall in set 0
        Tlb tlb = new Tlb(0, new TlbGeometry(8, 2, 4, 4), PagingMode.TWO_LEVEL, true);
        tlb.fill(page(0x0000, 0x10000, true, true), false, true);
        tlb.fill(page(0x4000, 0x14000, true, true), false, true);
        tlb.fill(page(0x1000, 0x11000, true, true), false, true);
        tlb.lookup(0x0000, Mmu.Access.USER_READ); // page 4 is now the least recently used of set 0

        tlb.fill(page(0x8000, 0x18000, true, true), false, true);

        assertThat(tlb.lookup(0x4000, Mmu.Access.USER_READ)).isEqualTo(Tlb.MISS);
        assertThat(tlb.lookup(0x0000, Mmu.Access.USER_READ)).isEqualTo(0x10000);
        assertThat(tlb.lookup(0x8000, Mmu.Access.USER_READ)).isEqualTo(0x18000);
        assertThat(tlb.lookup(0x1000, Mmu.Access.USER_READ)).isEqualTo(0x11000);
        assertThat(tlb.counters().asMap()).containsEntry("evictions", 1L);
    }

    @Test
    @DisplayName("a shape whose sets are not a power of two is refused, naming the setting")
    void refusesBadGeometry() {
        assertThatThrownBy(() -> new TlbGeometry(96, 4, 32, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("guest.tlb-entries");
    }

    @Test
    @DisplayName("an offline vCPU's TLB, invalidated from another thread, is empty at its next lookup, global entries too, with no flush counted")
    void offlineVcpuResetBeforeNextLookup() throws Exception {
        int[] cpu = {0};
        Tlbs tlbs = new Tlbs(2, TlbGeometry.CORE2, PagingMode.TWO_LEVEL, true, () -> cpu[0]);
        Tlb target = tlbs.get(1);
        target.fill(page(USER_VA, 0x123000, true, true), false, true);
        target.fill(page(KERNEL_VA, 0x100000, true, false), true, true);
        CyclicBarrier start = new CyclicBarrier(2);
        CountDownLatch sent = new CountDownLatch(1);
        List<Long> seen = new ArrayList<>();
        Thread other = new Thread(() -> {
            try {
                start.await();
                tlbs.invalidateOffline(1); // from "vCPU 0": the calling thread is not the target
                sent.countDown();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        other.start();
        start.await();
        sent.await();
        other.join();
        seen.add(target.lookup(USER_VA, Mmu.Access.USER_READ));
        seen.add(target.lookup(KERNEL_VA, Mmu.Access.KERNEL_READ));

        assertThat(seen).containsExactly(Tlb.MISS, Tlb.MISS);
        assertThat(target.counters().asMap()).containsEntry("shootdowns", 0L).containsEntry("flushes", 0L)
                .containsEntry("global-flushes", 0L);
    }
}
