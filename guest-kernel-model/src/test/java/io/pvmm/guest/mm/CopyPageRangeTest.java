package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.Guests;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.InOrder;
import org.mockito.Mockito;

@DisplayName("memory.c: copy_page_range, fork's copy of the parent's ptes")
class CopyPageRangeTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);
    private static final long HEAP = 0x4000_0000L;

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("fork copies a private writable page's pte write-protected on both sides; the child's first write copies the page")
    void copyOnWrite(PagingMode mode) {
        Guests.Spied booted = Guests.spied(mode, SMALL.withKernel(KernelVersion.V2_6_23)); // dup_mmap's arch_dup_mmap
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        Mmu mmu = k.mmu();
        long parentRoot = p.task(1).mm().pgd();
        long page = mmu.translate(parentRoot, HEAP).pfn();
        assertThat(mmu.translate(parentRoot, HEAP).writable()).isTrue();

        Mockito.clearInvocations(spy);
        assertThat(p.fork(1, 2)).isEqualTo(Outcome.OK);
        long childRoot = p.task(2).mm().pgd();
        assertThat(mmu.translate(parentRoot, HEAP).writable()).as("parent write-protected in place").isFalse();
        assertThat(mmu.translate(childRoot, HEAP).writable()).isFalse();
        assertThat(mmu.translate(childRoot, HEAP).pfn()).isEqualTo(page);
        Mockito.verify(spy).pteUpdate(Mockito.eq(parentRoot), Mockito.eq(HEAP), Mockito.anyLong());
        InOrder order = Mockito.inOrder(spy);
        order.verify(spy).enterLazyMmu();
        order.verify(spy).leaveLazyMmu();
        order.verify(spy).dupMmap(parentRoot, childRoot);

        assertThat(p.touch(2, HEAP, true)).isEqualTo(Outcome.OK);
        assertThat(mmu.translate(childRoot, HEAP).pfn()).isNotEqualTo(page);
        assertThat(mmu.translate(childRoot, HEAP).writable()).isTrue();
        assertThat(mmu.translate(parentRoot, HEAP).pfn()).isEqualTo(page);
        assertThat(p.touch(1, HEAP, true)).as("the parent, now the only user, reuses its page").isEqualTo(Outcome.OK);
        assertThat(mmu.translate(parentRoot, HEAP).pfn()).isEqualTo(page);
        assertThat(mmu.translate(parentRoot, HEAP).writable()).isTrue();
    }
}
