package io.pvmm.guest.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.Guests;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.hw.PageFaultHandler;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.memory.KernelOops;
import io.pvmm.guest.mm.Vma;
import io.pvmm.guest.observe.Hook;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("fault.c: kernel mappings reach every root lazily or through vmalloc_sync_all")
class FaultTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);

    @Test
    @DisplayName("in 2-level mode a vmalloc area's new kernel pmd reaches a root on its first vmalloc fault, with one set_pmd")
    void lazyVmallocFault() {
        Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL);
        GuestKernel k = g.kernel();
        long root = k.pgTable().pgdAlloc();
        long area = k.vmalloc().vmalloc(4);
        long slot = k.tables().pgdOffset(root, area);
        assertThat(EntryBits.isPresent(k.tables().read(slot))).as("not yet in the old root").isFalse();
        long setPmd = g.counts().count(Hook.setPmd);
        k.vmalloc().touch(root, area);
        assertThat(g.counts().count(Hook.setPmd) - setPmd).isEqualTo(1);
        assertThat(k.mmu().translate(root, area)).isNotNull();
    }

    @Test
    @DisplayName("vmalloc_sync_all copies the missing kernel pmd into every listed root, and marks the slot in sync")
    void syncAll() {
        GuestKernel k = Guests.boot(PagingMode.TWO_LEVEL, SMALL).kernel();
        long a = k.pgTable().pgdAlloc();
        long b = k.pgTable().pgdAlloc();
        long area = k.vmalloc().vmalloc(2);
        k.fault().vmallocSyncAll();
        assertThat(k.mmu().translate(a, area)).isNotNull();
        assertThat(k.mmu().translate(b, area)).isNotNull();
    }

    @Test
    @DisplayName("with a shared PAE kernel pmd every root sees a new kernel mapping at once, and vmalloc_sync_all does nothing")
    void sharedKernelPmd() {
        Guests.Booted g = Guests.boot(PagingMode.PAE, SMALL);
        GuestKernel k = g.kernel();
        long root = k.pgTable().pgdAlloc();
        long area = k.vmalloc().vmalloc(2);
        long setPmd = g.counts().count(Hook.setPmd);
        k.fault().vmallocSyncAll();
        assertThat(g.counts().count(Hook.setPmd)).isEqualTo(setPmd);
        assertThat(k.mmu().translate(root, area)).isNotNull();
    }

    @Test
    @DisplayName("with unshared PAE kernel pmds, vmalloc_sync_all brings each root's own copy up to date")
    void unsharedKernelPmd() {
        GuestKernel k = Guests.boot(PagingMode.PAE, SMALL, PlatformRequirements.NONE.withUnsharedKernelPmd(), o -> o).kernel();
        long root = k.pgTable().pgdAlloc();
        long area = k.vmalloc().vmalloc(2);
        assertThat(k.mmu().translate(root, area)).isNull();
        k.fault().vmallocSyncAll();
        assertThat(k.mmu().translate(root, area)).isNotNull();
    }

    @Test
    @DisplayName("do_page_fault: a kernel access to a kernel address that is no vmalloc fault oopses, from PAGE_OFFSET itself up; a vmalloc fault is fixed on the first attempt only")
    void kernelFaults() {
        Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL);
        GuestKernel k = g.kernel();
        long root = k.pgTable().pgdAlloc();
        assertThatThrownBy(() -> k.fault().pageFault(root, PagingMode.PAGE_OFFSET, Mmu.Access.KERNEL_READ, 0))
                .isInstanceOf(KernelOops.class)
                .hasMessage("kernel BUG: unable to handle kernel paging request at 0xc0000000");
        long area = k.vmalloc().vmalloc(1);
        assertThatThrownBy(() -> k.fault().pageFault(root, area, Mmu.Access.KERNEL_WRITE, 1))
                .as("a second fault on the same access is not a vmalloc fault")
                .isInstanceOf(KernelOops.class)
                .hasMessage(String.format("kernel BUG: unable to handle kernel paging request at 0x%08x", area));
        assertThat(k.mmu().translate(root, area)).as("the refused retry copied nothing").isNull();
        assertThat(k.fault().pageFault(root, area, Mmu.Access.KERNEL_READ, 0)).isEqualTo(PageFaultHandler.RETRY);
        assertThat(k.mmu().translate(root, area)).isNotNull();
    }

    @Test
    @DisplayName("do_page_fault: a user fault goes to handle_mm_fault: retried when fixed, SIGSEGV without a vma, a user access to a kernel address included, an oops after 64 faults")
    void userFaults() {
        GuestKernel k = Guests.boot(PagingMode.TWO_LEVEL, SMALL).kernel();
        Processes p = Guests.startInit(k);
        long heap = 0x4000_0000L;
        p.mmap(1, heap, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        long root = p.task(1).mm().pgd();
        assertThat(k.mmu().translate(root, heap)).isNull();
        assertThat(k.fault().pageFault(root, heap + 0x123, Mmu.Access.USER_WRITE, 0)).isEqualTo(PageFaultHandler.RETRY);
        assertThat(k.mmu().allows(root, heap, Mmu.Access.USER_WRITE)).as("fixed as a write fault, at its page").isTrue();
        assertThat(k.fault().pageFault(root, heap + (1 << 16), Mmu.Access.USER_READ, 0)).isEqualTo(Fault.SIGSEGV);
        assertThat(k.fault().pageFault(root, PagingMode.PAGE_OFFSET, Mmu.Access.USER_READ, 0))
                .as("a user access above PAGE_OFFSET is the task's fault, not the kernel's").isEqualTo(Fault.SIGSEGV);
        assertThat(k.fault().pageFault(root, heap + 0x1000, Mmu.Access.USER_READ, 63)).isEqualTo(PageFaultHandler.RETRY);
        assertThatThrownBy(() -> k.fault().pageFault(root, heap + 0x2000, Mmu.Access.USER_READ, 64))
                .isInstanceOf(KernelOops.class)
                .hasMessage("kernel BUG: page fault at 0x40002000 handled 64 times and still not mapped");
    }

    @Test
    @DisplayName("vmalloc_fault covers VMALLOC_START .. VMALLOC_END: the first area, at VMALLOC_START, is fixed; an address below or at the end is not")
    void vmallocFaultBounds() {
        Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL);
        GuestKernel k = g.kernel();
        long root = k.pgTable().pgdAlloc();
        long area = k.vmalloc().vmalloc(1);
        assertThat(area).as("the first area starts the space").isEqualTo(k.layout().vmallocStart());
        long setPmd = g.counts().count(Hook.setPmd);
        assertThat(k.fault().vmallocFault(root, area - PagingMode.PAGE_SIZE)).isFalse();
        assertThat(k.fault().vmallocFault(root, k.layout().vmallocEnd())).isFalse();
        assertThat(k.fault().vmallocFault(root, area + (64L << 20))).as("no area there: the kernel maps nothing").isFalse();
        assertThat(g.counts().count(Hook.setPmd)).as("none copied a pmd").isEqualTo(setPmd);
        assertThat(k.fault().vmallocFault(root, area)).isTrue();
        assertThat(g.counts().count(Hook.setPmd) - setPmd).isEqualTo(1);
        assertThat(k.fault().vmallocFault(root, area + PagingMode.PAGE_SIZE))
                .as("the guard page: the pmd is there, the pte is not").isFalse();
        assertThat(g.counts().count(Hook.setPmd) - setPmd).as("a root that has the pmd gets no copy").isEqualTo(1);
    }

    @Test
    @DisplayName("vmalloc_sync_one: nothing to copy where the kernel maps nothing; a root that maps the slot to another frame is a BUG")
    void syncOneRefusals() {
        GuestKernel k = Guests.boot(PagingMode.TWO_LEVEL, SMALL).kernel();
        long root = k.pgTable().pgdAlloc();
        long unmapped = k.layout().vmallocStart();
        assertThat(k.fault().vmallocSyncOne(root, unmapped)).isEqualTo(-1);
        long area = k.vmalloc().vmalloc(1);
        long kernelPmd = k.tables().pmdEntryFor(k.layout().swapperPgDir(), area);
        assertThat(k.fault().vmallocSyncOne(root, area)).isEqualTo(kernelPmd);
        assertThat(k.tables().read(k.tables().pmdEntryFor(root, area))).isEqualTo(k.tables().read(kernelPmd));

        long other = k.pgTable().pgdAlloc();
        long otherPmd = k.tables().pmdEntryFor(other, area);
        long foreignPfn = k.tables().pfn(k.tables().read(kernelPmd)) + 1;
        k.physicalMemory().writeEntry(otherPmd, k.tables().makeEntry(foreignPfn, EntryBits.PAGE_TABLE));
        assertThatThrownBy(() -> k.fault().vmallocSyncOne(other, area))
                .isInstanceOf(KernelOops.class)
                .hasMessage(String.format("kernel BUG: vmalloc_sync_one: root 0x%x maps 0x%08x to frame 0x%x, the kernel to 0x%x",
                        other, area, foreignPfn, foreignPfn - 1));
    }

    @Test
    @DisplayName("vmalloc_sync_all leaves a slot the kernel does not map yet out of sync, so a later sync copies it once mapped")
    void syncAllRetriesUnmappedSlots() {
        Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, SMALL);
        GuestKernel k = g.kernel();
        long root = k.pgTable().pgdAlloc();
        long setPmd = g.counts().count(Hook.setPmd);
        k.fault().vmallocSyncAll();
        assertThat(g.counts().count(Hook.setPmd)).as("every root already has what the kernel maps").isEqualTo(setPmd);
        long area = k.vmalloc().vmalloc(1);
        setPmd = g.counts().count(Hook.setPmd);
        int roots = k.pgTable().pgdListSnapshot().size();
        assertThat(k.pgTable().pgdListSnapshot()).contains(root);
        k.fault().vmallocSyncAll();
        assertThat(k.mmu().translate(root, area)).isNotNull();
        assertThat(g.counts().count(Hook.setPmd) - setPmd).as("one new kernel pmd: one set_pmd per listed root").isEqualTo(roots);
    }
}
