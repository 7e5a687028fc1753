package io.pvmm.guest.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.Guests;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.memory.Gfp;
import io.pvmm.guest.memory.KernelOops;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

@DisplayName("KernelStore: a hook-less kernel store obeys the direct map, as the MMU would")
class KernelStoreTest {

    private static final GuestConfig NO_PSE = GuestConfig.DEFAULTS.withMemoryMib(32).withPse(false);

    @Test
    @DisplayName("a store to a frame the direct map maps writable lands in memory without troubling the backend")
    void writable() {
        Guests.Spied booted = Guests.spied(PagingMode.TWO_LEVEL, NO_PSE);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        long pfn = k.pool().alloc(Gfp.KERNEL);
        KernelStore store = new KernelStore(k.physicalMemory(), k.tables(), new Paravirt(spy, k.physicalMemory()), k.layout(), new PageWalks(1, () -> 0));
        store.store((pfn << 12) + 8, 0x42);
        assertThat(k.physicalMemory().readEntry((pfn << 12) + 8)).isEqualTo(0x42);
        Mockito.verify(spy, Mockito.never()).writeFault(Mockito.anyLong(), Mockito.anyLong());
    }

    @Test
    @DisplayName("a store to a frame mapped read-only faults to the backend; if it does not emulate, the kernel oopses")
    void readOnlyFaults() {
        Guests.Spied booted = Guests.spied(PagingMode.TWO_LEVEL, NO_PSE);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        long pfn = k.pool().alloc(Gfp.KERNEL);
        long ptePa = k.pageAttr().lookupAddress(k.layout().directMapAddress(pfn));
        k.physicalMemory().writeEntry(ptePa, k.physicalMemory().readEntry(ptePa) & ~EntryBits.RW); // as a hypervisor would
        KernelStore store = new KernelStore(k.physicalMemory(), k.tables(), new Paravirt(spy, k.physicalMemory()), k.layout(), new PageWalks(1, () -> 0));
        assertThatThrownBy(() -> store.store(pfn << 12, 0x42)).isInstanceOf(KernelOops.class).hasMessageContaining("read-only");
        Mockito.verify(spy).writeFault(pfn << 12, 0x42);
        assertThat(k.physicalMemory().readEntry(pfn << 12)).isZero();

        Mockito.doAnswer(inv -> {
            k.physicalMemory().writeEntry(inv.getArgument(0), inv.getArgument(1));
            return true;
        }).when(spy).writeFault(Mockito.anyLong(), Mockito.anyLong());
        store.store(pfn << 12, 0x43);
        assertThat(k.physicalMemory().readEntry(pfn << 12)).as("emulated by the backend").isEqualTo(0x43);
    }

    @Test
    @DisplayName("with the frame's direct-map permission looked up once, each store of that frame goes straight to memory or to the backend, as the looked-up permission says")
    void storeWithPermissionLookedUpOnce() {
        Guests.Spied booted = Guests.spied(PagingMode.PAE, NO_PSE);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        long pfn = k.pool().alloc(Gfp.KERNEL);
        KernelStore store = new KernelStore(k.physicalMemory(), k.tables(), new Paravirt(spy, k.physicalMemory()), k.layout(), new PageWalks(1, () -> 0));
        boolean direct = store.writable(pfn);
        assertThat(direct).isTrue();
        for (int i = 0; i < 8; i++) {
            store.store((pfn << 12) + i * 8L, 0x100L + i, direct);
        }
        assertThat(k.physicalMemory().readEntry((pfn << 12) + 7 * 8L)).isEqualTo(0x107);
        Mockito.verify(spy, Mockito.never()).writeFault(Mockito.anyLong(), Mockito.anyLong());

        long ptePa = k.pageAttr().lookupAddress(k.layout().directMapAddress(pfn));
        k.physicalMemory().writeEntry(ptePa, k.physicalMemory().readEntry(ptePa) & ~EntryBits.RW); // as a hypervisor would
        boolean readOnly = store.writable(pfn);
        assertThat(readOnly).isFalse();
        Mockito.doAnswer(inv -> {
            k.physicalMemory().writeEntry(inv.getArgument(0), inv.getArgument(1));
            return true;
        }).when(spy).writeFault(Mockito.anyLong(), Mockito.anyLong());
        for (int i = 0; i < 8; i++) {
            store.store((pfn << 12) + i * 8L, 0, readOnly);
        }
        Mockito.verify(spy, Mockito.times(8)).writeFault(Mockito.anyLong(), Mockito.eq(0L));
        assertThat(k.physicalMemory().readEntry(pfn << 12)).as("emulated by the backend").isZero();

        Mockito.doReturn(false).when(spy).writeFault(Mockito.anyLong(), Mockito.anyLong());
        assertThatThrownBy(() -> store.store(pfn << 12, 0x44, readOnly)).isInstanceOf(KernelOops.class).hasMessageContaining("read-only");
        assertThat(k.physicalMemory().readEntry(pfn << 12)).isZero();
    }
}
