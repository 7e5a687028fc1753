package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.Guests;
import io.pvmm.guest.arch.KernelLayout;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.Mockito;

@DisplayName("memory.c: the fault path, handle_mm_fault to do_anonymous_page")
class MmFaultTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);
    private static final long HEAP = 0x4000_0000L;

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a fault in a populated pmd reads the pmd entry once, and in PAE the root entry once (counted through "
            + "2.6.23's pte_val)")
    void faultReadsUpperEntriesOnce(PagingMode mode) {
        Guests.Spied booted = Guests.spied(mode, SMALL.withKernel(KernelVersion.V2_6_23));
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 20, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP + 0x8000, true);
        long pgd = p.task(1).mm().pgd();
        long pgdEntryPa = k.tables().pgdOffset(pgd, HEAP);
        long pmdPa = k.tables().pmdEntryFor(pgd, HEAP);
        long rawPgd = k.physicalMemory().readEntry(pgdEntryPa);
        long rawPmd = k.physicalMemory().readEntry(pmdPa);
        Mockito.clearInvocations(spy);

        assertThat(p.touch(1, HEAP, true)).isEqualTo(Outcome.OK);

        // three reads each: the MMU's walk that faults, the fault handler's one, the MMU's walk of the
        // restarted access (the walker reads entries through pte_val, as it must for machine frames)
        Mockito.verify(spy, Mockito.times(3)).entryValue(rawPmd);
        if (mode == PagingMode.PAE) {
            Mockito.verify(spy, Mockito.times(3)).entryValue(rawPgd);
        }
    }

    @Test
    @DisplayName("a read of untouched anonymous memory maps the shared zero page read-only; a write then copies it")
    void zeroPage() {
        GuestKernel k = Guests.boot(PagingMode.PAE, SMALL).kernel();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, false);
        Mmu mmu = k.mmu();
        long root = p.task(1).mm().pgd();
        assertThat(mmu.translate(root, HEAP).pfn()).isEqualTo(KernelLayout.EMPTY_ZERO_PAGE >>> 12);
        assertThat(mmu.allows(root, HEAP, Mmu.Access.USER_WRITE)).isFalse();
        assertThat(mmu.translate(root, HEAP).executable()).as("NX on a non-exec mapping in PAE").isFalse();
        p.touch(1, HEAP, true);
        assertThat(mmu.translate(root, HEAP).pfn()).isNotEqualTo(KernelLayout.EMPTY_ZERO_PAGE >>> 12);
        assertThat(mmu.allows(root, HEAP, Mmu.Access.USER_WRITE)).isTrue();
    }
}
