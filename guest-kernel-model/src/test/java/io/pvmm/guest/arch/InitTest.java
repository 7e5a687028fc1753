package io.pvmm.guest.arch;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.Guests;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.observe.Hook;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.mockito.Mockito;

@DisplayName("init.c: boot builds the kernel's page tables")
class InitTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("without PSE, boot announces one more pte page per large page of lowmem than with PSE")
    void bootAllocPtArithmetic(PagingMode mode) {
        GuestConfig config = GuestConfig.DEFAULTS.withMemoryMib(256);
        long withPse = Guests.boot(mode, config.withPse(true)).counts().count(Hook.allocPt);
        long withoutPse = Guests.boot(mode, config.withPse(false)).counts().count(Hook.allocPt);
        long lowmem = 256L << 20;
        assertThat(withoutPse - withPse).isEqualTo(lowmem / mode.pmdSize());
        assertThat(withPse).as("fixmap and pkmap pte pages").isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("lowmem is capped at 896 MiB, and at less when a hypervisor reserves the top")
    void lowmemCap(PagingMode mode) {
        GuestKernel big = Guests.boot(mode, GuestConfig.DEFAULTS.withMemoryMib(1024)).kernel();
        assertThat(big.layout().maxLowPfn()).isEqualTo((896L << 20) >> 12);
        GuestKernel reserved = Guests.boot(mode, GuestConfig.DEFAULTS.withMemoryMib(1024),
                PlatformRequirements.NONE.reservingFrom(0xFC000000L), o -> o).kernel();
        assertThat(reserved.layout().maxLowPfn()).isEqualTo((832L << 20) >> 12);
        assertThat(reserved.layout().fixaddrTop()).isEqualTo(0xFBFFF000L);
    }

    @ParameterizedTest(name = "{0}, PSE {1}")
    @org.junit.jupiter.params.provider.CsvSource({"TWO_LEVEL,true", "TWO_LEVEL,false", "PAE,true", "PAE,false"})
    @DisplayName("the MMU maps PAGE_OFFSET + x to x for all of lowmem, kernel-only and writable")
    void directMapTranslates(PagingMode mode, boolean pse) {
        GuestKernel k = Guests.boot(mode, GuestConfig.DEFAULTS.withMemoryMib(128).withPse(pse)).kernel();
        Mmu mmu = k.mmu();
        long swapper = k.layout().swapperPgDir();
        long[] mapped = {0};
        mmu.forEachPage(swapper, PagingMode.PAGE_OFFSET, PagingMode.PAGE_OFFSET + (k.layout().maxLowPfn() << 12), t -> {
            assertThat(t.pa()).isEqualTo(t.va() - PagingMode.PAGE_OFFSET);
            assertThat(t.user()).isFalse();
            assertThat(t.writable()).isTrue();
            mapped[0]++;
        });
        assertThat(mapped[0]).isEqualTo(k.layout().maxLowPfn());
        assertThat(mmu.translate(swapper, 0x1000)).as("user space of swapper is empty").isNull();
    }

    @Test
    @DisplayName("in PAE mode, non-text lowmem is mapped no-execute and kernel text is executable")
    void nxInPae() {
        GuestKernel k = Guests.boot(PagingMode.PAE, GuestConfig.DEFAULTS.withMemoryMib(64)).kernel();
        Mmu mmu = k.mmu();
        long swapper = k.layout().swapperPgDir();
        assertThat(mmu.translate(swapper, PagingMode.PAGE_OFFSET + KernelLayout.TEXT_START).executable()).isTrue();
        assertThat(mmu.translate(swapper, PagingMode.PAGE_OFFSET + (32L << 20)).executable()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("every boot pte page is announced with alloc_pt strictly before the set_pmd that links it")
    void allocPtBeforeSetPmd(PagingMode mode) {
        ParavirtOps[] spy = new ParavirtOps[1];
        GuestKernel kernel = Guests.boot(mode, GuestConfig.DEFAULTS.withMemoryMib(32).withPse(false), PlatformRequirements.NONE,
                o -> spy[0] = Mockito.spy(o)).kernel();
        ArgumentCaptor<Long> pfns = ArgumentCaptor.forClass(Long.class);
        Mockito.verify(spy[0], Mockito.atLeastOnce()).allocPt(pfns.capture());
        assertThat(pfns.getAllValues()).as("announced at boot: every pte page swapper_pg_dir's kernel half links, each once")
                .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(Guests.kernelPtePages(kernel));
        InOrder order = Mockito.inOrder(spy[0]);
        for (long pfn : pfns.getAllValues()) {
            order.verify(spy[0]).allocPt(pfn);
            order.verify(spy[0]).setPmd(Mockito.anyLong(), Mockito.eq((pfn << 12) | EntryBits.PAGE_TABLE));
        }
    }

    @Test
    @DisplayName("in 2-level mode swapper_pg_dir is announced with alloc_pd once, first thing in pagetable_init (2.6.21), or in "
            + "native_pagetable_setup_start after the pagetable_setup_start hook (2.6.23)")
    void allocPdSwapper() {
        ParavirtOps[] spy = new ParavirtOps[1];
        GuestKernel k = Guests.boot(PagingMode.TWO_LEVEL, GuestConfig.DEFAULTS.withMemoryMib(32), PlatformRequirements.NONE,
                o -> spy[0] = Mockito.spy(o)).kernel();
        InOrder first = Mockito.inOrder(spy[0]);
        first.verify(spy[0]).allocPd(k.layout().swapperPfn());
        first.verify(spy[0], Mockito.atLeastOnce()).setPmd(Mockito.anyLong(), Mockito.anyLong());
        Mockito.verify(spy[0], Mockito.never()).pagetableSetupStart(Mockito.anyLong());

        GuestKernel k23 = Guests.boot(PagingMode.TWO_LEVEL, GuestConfig.DEFAULTS.withMemoryMib(32).withKernel(KernelVersion.V2_6_23),
                PlatformRequirements.NONE, o -> spy[0] = Mockito.spy(o)).kernel();
        InOrder order = Mockito.inOrder(spy[0]);
        order.verify(spy[0]).pagetableSetupStart(k23.layout().swapperPgDir());
        order.verify(spy[0]).allocPd(k23.layout().swapperPfn());
        order.verify(spy[0], Mockito.atLeastOnce()).setPmd(Mockito.anyLong(), Mockito.anyLong());
        order.verify(spy[0]).pagetableSetupDone(k23.layout().swapperPgDir());
        Mockito.verify(spy[0], Mockito.times(1)).allocPd(Mockito.anyLong());
        Mockito.verify(spy[0], Mockito.never()).allocPdClone(Mockito.anyLong(), Mockito.anyLong(), Mockito.anyInt(), Mockito.anyInt());
    }

    @Test
    @DisplayName("in PAE mode the root is never announced; the one kernel pmd gets alloc_pd before the set_pgd linking it")
    void paeKernelPmd() {
        ParavirtOps[] spy = new ParavirtOps[1];
        GuestKernel k = Guests.boot(PagingMode.PAE, GuestConfig.DEFAULTS.withMemoryMib(32), PlatformRequirements.NONE,
                o -> spy[0] = Mockito.spy(o)).kernel();
        ArgumentCaptor<Long> pmd = ArgumentCaptor.forClass(Long.class);
        Mockito.verify(spy[0], Mockito.times(1)).allocPd(pmd.capture());
        assertThat(pmd.getValue()).isNotEqualTo(k.layout().swapperPfn());
        InOrder order = Mockito.inOrder(spy[0]);
        order.verify(spy[0]).allocPd(pmd.getValue());
        order.verify(spy[0]).setPgd(k.layout().swapperPgDir() + 3 * 8, (pmd.getValue() << 12) | EntryBits.PRESENT);
    }

    @Test
    @DisplayName("a backend that forbids PSE and PGE gets no large page and no global bit")
    void platformForbidsPse() {
        GuestKernel k = Guests.boot(PagingMode.TWO_LEVEL, GuestConfig.DEFAULTS.withMemoryMib(32),
                PlatformRequirements.NONE.withoutPse().withoutPge(), o -> o).kernel();
        assertThat(k.layout().pse()).isFalse();
        long swapper = k.layout().swapperPgDir();
        k.mmu().forEachPage(swapper, PagingMode.PAGE_OFFSET, PagingMode.PAGE_OFFSET + (32L << 20),
                t -> assertThat(t.pageSize()).isEqualTo(PagingMode.PAGE_SIZE));
        long pte = k.tables().read(k.pageAttr().lookupAddress(PagingMode.PAGE_OFFSET + (8L << 20)));
        assertThat(pte & EntryBits.GLOBAL).isZero();
    }
}
