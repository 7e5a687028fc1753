package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;

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

@DisplayName("mprotect.c: change_protection")
class ChangeProtectionTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);
    private static final long HEAP = 0x4000_0000L;

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("mprotect read-only makes the pages read-only through ptep_get_and_clear and set_pte_at, in lazy MMU mode")
    void mprotect(PagingMode mode) {
        Guests.Spied booted = Guests.spied(mode, SMALL);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        long root = p.task(1).mm().pgd();
        Mockito.clearInvocations(spy);
        assertThat(p.mprotect(1, HEAP, 1 << 16, Vma.READ)).isEqualTo(Outcome.OK);
        assertThat(k.mmu().allows(root, HEAP, Mmu.Access.USER_WRITE)).isFalse();
        assertThat(k.mmu().allows(root, HEAP, Mmu.Access.USER_READ)).isTrue();
        InOrder order = Mockito.inOrder(spy);
        order.verify(spy).enterLazyMmu();
        order.verify(spy).pteUpdate(Mockito.eq(root), Mockito.eq(HEAP), Mockito.anyLong());
        order.verify(spy).setPteAt(Mockito.eq(root), Mockito.eq(HEAP), Mockito.anyLong(), Mockito.anyLong());
        order.verify(spy).leaveLazyMmu();
        assertThat(p.touch(1, HEAP, true)).as("a write now has no vma permission").isEqualTo(Outcome.EFAULT);
        assertThat(p.task(1)).as("SIGSEGV killed the task").isNull();
    }
}
