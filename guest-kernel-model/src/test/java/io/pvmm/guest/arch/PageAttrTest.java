package io.pvmm.guest.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.Guests;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.memory.Gfp;
import io.pvmm.guest.memory.KernelOops;
import io.pvmm.guest.observe.Hook;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.mockito.Mockito;

@DisplayName("pageattr.c: change_page_attr splits, counts, reverts and defers the free")
class PageAttrTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("change then restore: split with alloc_pt before the fill, then revert with release_pt; the table is freed only by global_flush_tlb")
    void splitAndRevert(PagingMode mode) {
        ParavirtOps[] spy = new ParavirtOps[1];
        Guests.Booted g = Guests.boot(mode, SMALL, PlatformRequirements.NONE, o -> spy[0] = Mockito.spy(o));
        GuestKernel k = g.kernel();
        long page = k.pool().alloc(Gfp.KERNEL);
        long address = k.layout().directMapAddress(page);
        Mockito.clearInvocations(spy[0]);

        assertThat(k.pageAttr().changePageAttr(page, 1, PageAttr.Attr.NOCACHE)).isZero();
        ArgumentCaptor<Long> split = ArgumentCaptor.forClass(Long.class);
        Mockito.verify(spy[0]).allocPt(split.capture());
        long table = split.getValue();
        long link = k.tables().makeEntry(table, k.prot().kernel());
        InOrder order = Mockito.inOrder(spy[0]);
        order.verify(spy[0]).allocPt(table);
        order.verify(spy[0], Mockito.times(mode.ptrsPerPte())).setPte(Mockito.longThat(pa -> pa >>> 12 == table), Mockito.anyLong());
        // set_pmd_pte's set_pte_atomic: paravirt_ops' own with PAE, pgtable-2level.h's set_pte without
        if (mode == PagingMode.PAE) {
            order.verify(spy[0]).setPteAtomic(Mockito.anyLong(), Mockito.eq(link));
        } else {
            order.verify(spy[0]).setPte(Mockito.anyLong(), Mockito.eq(link));
        }
        long pte = k.tables().read(k.pageAttr().lookupAddress(address));
        assertThat(pte & EntryBits.PCD).as("the page is uncached").isNotZero();
        assertThat(k.mmu().translate(k.layout().swapperPgDir(), address).pageSize()).isEqualTo(PagingMode.PAGE_SIZE);

        Mockito.clearInvocations(spy[0]);
        assertThat(k.pageAttr().changePageAttr(page, 1, PageAttr.Attr.KERNEL)).isZero();
        order = Mockito.inOrder(spy[0]);
        order.verify(spy[0]).releasePt(table);
        if (mode == PagingMode.PAE) {
            order.verify(spy[0]).setPteAtomic(Mockito.anyLong(), Mockito.longThat(e -> EntryBits.isLarge(e)));
        } else {
            order.verify(spy[0]).setPte(Mockito.anyLong(), Mockito.longThat(e -> EntryBits.isLarge(e)));
        }
        assertThat(k.mmu().translate(k.layout().swapperPgDir(), address).pageSize()).isEqualTo(mode.pmdSize());
        assertThat(k.pool().isFree(table)).as("on the deferred list until the flush").isFalse();
        assertThat(k.pageAttr().deferredPages()).isEqualTo(1);
        k.pageAttr().globalFlushTlb();
        assertThat(k.pool().isFree(table)).isTrue();
        Mockito.verify(spy[0]).flushTlbKernel();
    }

    @Test
    @DisplayName("the split table counts changed ptes: it reverts only when the last one is restored")
    void countsChangedPtes() {
        Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL);
        GuestKernel k = g.kernel();
        long page = k.pool().alloc(Gfp.KERNEL);
        long neighbour = (page & ~1023L) + ((page + 1) & 1023L);
        k.pageAttr().changePageAttr(page, 1, PageAttr.Attr.NOCACHE);
        k.pageAttr().changePageAttr(neighbour, 1, PageAttr.Attr.NOCACHE);
        assertThat(g.counts().count(Hook.allocPt) - 2).as("one split for both").isEqualTo(1);
        k.pageAttr().changePageAttr(page, 1, PageAttr.Attr.KERNEL);
        assertThat(g.counts().count(Hook.releasePt)).isZero();
        k.pageAttr().changePageAttr(neighbour, 1, PageAttr.Attr.KERNEL);
        assertThat(g.counts().count(Hook.releasePt)).isEqualTo(1);
    }

    @Test
    @DisplayName("in 2-level mode set_pmd_pte writes the new entry into every root on pgd_list, cached ones included")
    void setPmdPteWalksPgdList() {
        GuestKernel k = Guests.boot(PagingMode.TWO_LEVEL, SMALL).kernel();
        long live = k.pgTable().pgdAlloc();
        long cached = k.pgTable().pgdAlloc();
        k.pgTable().pgdFree(cached);
        long page = k.pool().alloc(Gfp.KERNEL);
        long address = k.layout().directMapAddress(page);
        k.pageAttr().changePageAttr(page, 1, PageAttr.Attr.NOCACHE);
        long slot = k.tables().pgdOffset(k.layout().swapperPgDir(), address) - k.layout().swapperPgDir();
        long kernelEntry = k.physicalMemory().readEntry(k.layout().swapperPgDir() + slot);
        assertThat(EntryBits.isLarge(kernelEntry)).isFalse();
        assertThat(k.physicalMemory().readEntry(live + slot)).isEqualTo(kernelEntry);
        assertThat(k.physicalMemory().readEntry(cached + slot)).isEqualTo(kernelEntry);
    }

    @Test
    @DisplayName("without PSE nothing splits or reverts: boot pte pages are reserved, and their ptes change in place "
            + "(__change_page_attr's set_pte_atomic: set_pte in 2-level mode)")
    void noPse() {
        Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL.withPse(false));
        GuestKernel k = g.kernel();
        long allocPt = g.counts().count(Hook.allocPt);
        long setPte = g.counts().count(Hook.setPte);
        long page = k.pool().alloc(Gfp.KERNEL);
        k.pageAttr().changePageAttr(page, 1, PageAttr.Attr.NOCACHE);
        k.pageAttr().changePageAttr(page, 1, PageAttr.Attr.KERNEL);
        assertThat(g.counts().count(Hook.allocPt)).isEqualTo(allocPt);
        assertThat(g.counts().count(Hook.releasePt)).isZero();
        assertThat(g.counts().count(Hook.setPteAtomic)).isZero();
        assertThat(g.counts().count(Hook.setPte) - setPte).isEqualTo(2);
    }

    @Test
    @DisplayName("restoring a page that was never changed is a kernel BUG, as BUG_ON(page_private == 0)")
    void restoreUnchangedIsBug() {
        GuestKernel k = Guests.boot(PagingMode.TWO_LEVEL, SMALL.withPse(false)).kernel();
        long page = k.pool().alloc(Gfp.KERNEL);
        assertThatThrownBy(() -> k.pageAttr().changePageAttr(page, 1, PageAttr.Attr.KERNEL)).isInstanceOf(KernelOops.class);
    }

    @Test
    @DisplayName("change_page_attr refuses highmem pages: BUG_ON(PageHighMem(page))")
    void highmemIsBug() {
        GuestKernel k = Guests.boot(PagingMode.PAE, GuestConfig.DEFAULTS.withMemoryMib(1024)).kernel();
        long high = k.layout().maxLowPfn() + 10;
        assertThatThrownBy(() -> k.pageAttr().changePageAttr(high, 1, PageAttr.Attr.NOCACHE)).isInstanceOf(KernelOops.class);
    }

    @Test
    @DisplayName("global_flush_tlb frees a reverted pte page only after another vCPU's walk through it has ended, as on_each_cpu(flush_kernel_map, l, 1, 1) waits")
    void flushMapWaitsForWalksInFlight() throws InterruptedException {
        GuestKernel k = Guests.boot(PagingMode.TWO_LEVEL, SMALL.withVcpus(2)).kernel();
        long page = k.pool().alloc(Gfp.KERNEL);
        k.pageAttr().changePageAttr(page, 1, PageAttr.Attr.NOCACHE);
        long table = k.tables().pfn(k.tables().read(k.tables().pmdEntryFor(k.layout().swapperPgDir(), k.layout().directMapAddress(page))));
        k.pageAttr().changePageAttr(page, 1, PageAttr.Attr.KERNEL);
        assertThat(k.pageAttr().deferredPages()).as("reverted, on df_list").isEqualTo(1);

        CountDownLatch inWalk = new CountDownLatch(1);
        CountDownLatch flushing = new CountDownLatch(1);
        AtomicBoolean flushed = new AtomicBoolean();
        AtomicBoolean freeDuringWalk = new AtomicBoolean();
        AtomicBoolean flushReturnedDuringWalk = new AtomicBoolean();
        VcpuThread walker = new VcpuThread(1, "vcpu-1", () -> {
            k.pageWalks().begin(); // vCPU 1 is preempted in the middle of a walk through the old pmd
            inWalk.countDown();
            try {
                flushing.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int i = 0; i < 100_000 && !flushed.get(); i++) {
                Thread.yield(); // bounded: give a flush that does not wait every chance to finish first
            }
            freeDuringWalk.set(k.pool().isFree(table));
            flushReturnedDuringWalk.set(flushed.get());
            k.pageWalks().end();
        });
        walker.start();
        assertThat(inWalk.await(10, TimeUnit.SECONDS)).isTrue();
        flushing.countDown();
        k.pageAttr().globalFlushTlb(); // on CPU 0
        flushed.set(true);
        walker.join(10_000);

        assertThat(walker.isAlive()).isFalse();
        assertThat(flushReturnedDuringWalk.get()).as("global_flush_tlb returned while vCPU 1 was mid-walk").isFalse();
        assertThat(freeDuringWalk.get()).as("the pte page was free while vCPU 1 was mid-walk").isFalse();
        assertThat(k.pool().isFree(table)).as("freed once every CPU has flushed").isTrue();
    }
}
