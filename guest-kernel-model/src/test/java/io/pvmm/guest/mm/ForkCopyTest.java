package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.Guests;
import io.pvmm.guest.arch.KernelLayout;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.Mockito;

@DisplayName("copy_page_range: which vmas fork copies")
class ForkCopyTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);
    private static final long HEAP = 0x4000_0000L;
    private static final long READ_ONLY = 0x5000_0000L;
    private static final long FILE = 0x6000_0000L;

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("an anonymous vma that was only read has no anon_vma: the child gets no ptes for it and faults the zero page in itself")
    void anonymousWithoutAnonVmaIsSkipped(PagingMode mode) {
        Guests.Spied booted = Guests.spied(mode, SMALL);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        Processes p = Guests.startInit(k);
        p.mmap(1, READ_ONLY, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, READ_ONLY, false);
        p.touch(1, READ_ONLY + 4096, false);
        long parentRoot = p.task(1).mm().pgd();
        assertThat(k.mmu().translate(parentRoot, READ_ONLY).pfn()).isEqualTo(KernelLayout.EMPTY_ZERO_PAGE >>> 12);
        assertThat(p.task(1).mm().findVma(READ_ONLY).anonVma().present()).as("a zero-page read prepares no anon_vma").isFalse();

        Mockito.clearInvocations(spy);
        assertThat(p.fork(1, 2)).isEqualTo(Outcome.OK);
        long childRoot = p.task(2).mm().pgd();
        assertThat(Guests.pte(k, childRoot, READ_ONLY)).as("no pte copied for the read-only-touched vma").isZero();
        assertThat(Guests.pte(k, childRoot, READ_ONLY + 4096)).isZero();
        Mockito.verify(spy, Mockito.never()).setPteAt(Mockito.eq(childRoot), Mockito.eq(READ_ONLY), Mockito.anyLong(), Mockito.anyLong());
        assertThat(k.mmu().translate(parentRoot, READ_ONLY).pfn()).as("the parent keeps its zero page").isEqualTo(KernelLayout.EMPTY_ZERO_PAGE >>> 12);

        assertThat(p.touch(2, READ_ONLY, false)).isEqualTo(Outcome.OK);
        assertThat(k.mmu().translate(childRoot, READ_ONLY).pfn()).as("the child's own read fault").isEqualTo(KernelLayout.EMPTY_ZERO_PAGE >>> 12);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("what must be inherited still is: exec's stack pages, a written heap, zero pages beside written pages, and a private file page written")
    void inheritsWhatItMust(PagingMode mode) {
        GuestKernel k = Guests.boot(mode, SMALL).kernel();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        p.touch(1, HEAP + 4096, false);
        p.mmap(1, FILE, 1 << 16, Vma.READ | Vma.WRITE, 7, 0);
        p.touch(1, FILE, true);
        p.touch(1, FILE + 4096, false);
        long parentRoot = p.task(1).mm().pgd();
        long stackPage = Mmap.TASK_SIZE - 4096;
        assertThat(k.mmu().translate(parentRoot, stackPage)).as("exec installed the stack page").isNotNull();

        assertThat(p.fork(1, 2)).isEqualTo(Outcome.OK);
        long childRoot = p.task(2).mm().pgd();
        Mmu mmu = k.mmu();
        for (int i = 1; i <= ExecImage.DEFAULT.stackPages(); i++) {
            long va = Mmap.TASK_SIZE - 4096L * i;
            assertThat(mmu.translate(childRoot, va)).as("stack page %d", i).isNotNull();
            assertThat(mmu.translate(childRoot, va).pfn()).isEqualTo(mmu.translate(parentRoot, va).pfn());
        }
        assertThat(mmu.translate(childRoot, HEAP).pfn()).isEqualTo(mmu.translate(parentRoot, HEAP).pfn());
        assertThat(mmu.translate(childRoot, HEAP + 4096).pfn()).as("the zero page in a vma with an anon_vma is copied")
                .isEqualTo(KernelLayout.EMPTY_ZERO_PAGE >>> 12);
        assertThat(mmu.translate(childRoot, FILE).pfn()).as("the private copy of a file page").isEqualTo(mmu.translate(parentRoot, FILE).pfn());
        assertThat(mmu.translate(childRoot, FILE + 4096).pfn()).as("the file page beside it").isEqualTo(mmu.translate(parentRoot, FILE + 4096).pfn());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a copy-on-write break prepares the anon_vma, so a grandchild inherits the copied page")
    void cowBreakPrepares(PagingMode mode) {
        GuestKernel k = Guests.boot(mode, SMALL).kernel();
        Processes p = Guests.startInit(k);
        p.mmap(1, READ_ONLY, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, READ_ONLY, false);
        p.touch(1, READ_ONLY, true); // the zero page's copy-on-write break
        assertThat(p.task(1).mm().findVma(READ_ONLY).anonVma().present()).isTrue();
        assertThat(p.fork(1, 2)).isEqualTo(Outcome.OK);
        long page = k.mmu().translate(p.task(1).mm().pgd(), READ_ONLY).pfn();
        assertThat(page).isNotEqualTo(KernelLayout.EMPTY_ZERO_PAGE >>> 12);
        assertThat(k.mmu().translate(p.task(2).mm().pgd(), READ_ONLY).pfn()).isEqualTo(page);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("ptep_set_wrprotect calls pte_update for every present pte of a copy-on-write vma, read-only ones included")
    void pteUpdateForEveryCowPte(PagingMode mode) {
        Guests.Spied booted = Guests.spied(mode, SMALL);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);              // writable pte
        p.touch(1, HEAP + 4096, false);      // the zero page, read-only, in a vma with an anon_vma
        long parentRoot = p.task(1).mm().pgd();
        assertThat(k.mmu().translate(parentRoot, HEAP + 4096).writable()).isFalse();

        Mockito.clearInvocations(spy);
        assertThat(p.fork(1, 2)).isEqualTo(Outcome.OK);
        Mockito.verify(spy).pteUpdate(Mockito.eq(parentRoot), Mockito.eq(HEAP), Mockito.anyLong());
        Mockito.verify(spy).pteUpdate(Mockito.eq(parentRoot), Mockito.eq(HEAP + 4096), Mockito.anyLong());
        long stackPages = ExecImage.DEFAULT.stackPages();
        Mockito.verify(spy, Mockito.times((int) stackPages + 2))
                .pteUpdate(Mockito.eq(parentRoot), Mockito.anyLong(), Mockito.anyLong());

        // a second fork finds every pte already read-only, and still announces each
        Mockito.clearInvocations(spy);
        assertThat(p.fork(1, 3)).isEqualTo(Outcome.OK);
        Mockito.verify(spy, Mockito.times((int) stackPages + 2))
                .pteUpdate(Mockito.eq(parentRoot), Mockito.anyLong(), Mockito.anyLong());
        Mockito.verify(spy, Mockito.never()).pteUpdate(Mockito.eq(p.task(2).mm().pgd()), Mockito.anyLong(), Mockito.anyLong());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("is_cow_mapping tests VM_MAYWRITE: a private vma made read-only or PROT_NONE by mprotect is still write-protected with pte_update at fork")
    void privateReadOnlyIsCow(PagingMode mode) {
        Guests.Spied booted = Guests.spied(mode, SMALL);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        p.touch(1, HEAP + 4096, true);
        p.mprotect(1, HEAP, 4096, Vma.READ);
        p.mprotect(1, HEAP + 4096, 4096, 0);
        long parentRoot = p.task(1).mm().pgd();

        Mockito.clearInvocations(spy);
        assertThat(p.fork(1, 2)).isEqualTo(Outcome.OK);
        Mockito.verify(spy).pteUpdate(Mockito.eq(parentRoot), Mockito.eq(HEAP), Mockito.anyLong());
        Mockito.verify(spy).pteUpdate(Mockito.eq(parentRoot), Mockito.eq(HEAP + 4096), Mockito.anyLong());

        // made writable again, neither side may write the shared page in place
        p.mprotect(1, HEAP, 2 * 4096, Vma.READ | Vma.WRITE);
        p.mprotect(2, HEAP, 2 * 4096, Vma.READ | Vma.WRITE);
        long page = k.mmu().translate(parentRoot, HEAP + 4096).pfn();
        assertThat(k.mmu().allows(parentRoot, HEAP + 4096, Mmu.Access.USER_WRITE)).isFalse();
        assertThat(p.touch(2, HEAP + 4096, true)).isEqualTo(Outcome.OK);
        assertThat(k.mmu().translate(p.task(2).mm().pgd(), HEAP + 4096).pfn()).as("the child's write copies").isNotEqualTo(page);
        assertThat(k.mmu().translate(parentRoot, HEAP + 4096).pfn()).isEqualTo(page);
    }
}
