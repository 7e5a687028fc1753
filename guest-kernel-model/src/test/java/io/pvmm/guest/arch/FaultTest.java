package io.pvmm.guest.arch;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.Guests;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
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
}
