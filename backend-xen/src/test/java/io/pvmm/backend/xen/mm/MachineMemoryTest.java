package io.pvmm.backend.xen.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.backend.xen.MapMemory;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MachineMemoryTest {

    private final MachineMemory machine = new MachineMemory(new MapMemory(PagingMode.PAE, 512), PagingMode.PAE, 3);

    @Test
    @DisplayName("the phys-to-machine map is a permutation of the domain's frames, and not the identity")
    void p2mIsAPermutation() {
        Set<Long> mfns = new HashSet<>();
        int fixed = 0;
        for (long pfn = 0; pfn < 512; pfn++) {
            long mfn = machine.p2m(pfn);
            assertThat(machine.owns(mfn)).isTrue();
            assertThat(machine.m2p(mfn)).isEqualTo(pfn);
            mfns.add(mfn);
            fixed += mfn == pfn ? 1 : 0;
        }
        assertThat(mfns).hasSize(512);
        assertThat(fixed).isLessThan(16);
    }

    @Test
    @DisplayName("the same seed gives the same map, another seed another")
    void seeded() {
        MachineMemory again = new MachineMemory(new MapMemory(PagingMode.PAE, 512), PagingMode.PAE, 3);
        MachineMemory other = new MachineMemory(new MapMemory(PagingMode.PAE, 512), PagingMode.PAE, 4);
        boolean differs = false;
        for (long pfn = 0; pfn < 512; pfn++) {
            assertThat(again.p2m(pfn)).isEqualTo(machine.p2m(pfn));
            differs |= other.p2m(pfn) != machine.p2m(pfn);
        }
        assertThat(differs).isTrue();
    }

    @Test
    @DisplayName("a present entry's frame is translated both ways, flags and NX kept")
    void presentEntriesTranslate() {
        long guest = PagingMode.PAE.makeEntry(77, EntryBits.PAGE_KERNEL | EntryBits.USER);
        long stored = machine.makeEntry(guest);
        assertThat(machine.entryMfn(stored)).isEqualTo(machine.p2m(77));
        assertThat(stored & ~PagingMode.PAE.frameMask()).isEqualTo(guest & ~PagingMode.PAE.frameMask());
        assertThat(machine.entryValue(stored)).isEqualTo(guest);
    }

    @Test
    @DisplayName("an entry that is not present is stored as given")
    void absentEntriesAreKept() {
        long swapLike = 0x0000_0000_0123_4040L; // not present, a file/swap-style payload
        assertThat(machine.makeEntry(swapLike)).isEqualTo(swapLike);
        assertThat(machine.entryValue(swapLike)).isEqualTo(swapLike);
    }

    @Test
    @DisplayName("a guest address becomes the machine address of the same offset")
    void machineAddress() {
        assertThat(machine.machineAddress((9L << 12) + 0x18)).isEqualTo((machine.p2m(9) << 12) + 0x18);
    }
}
