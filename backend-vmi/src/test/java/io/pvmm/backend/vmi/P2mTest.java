package io.pvmm.backend.vmi;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pfn-to-mfn map: a seeded permutation of 4 MiB blocks, never the identity. */
class P2mTest {

    private static final long FRAMES = 65536; // 256 MiB

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 7, 42, -5})
    @DisplayName("the map is one-to-one and not the identity, whatever the seed")
    void injectiveAndNotIdentity(long seed) {
        P2m p2m = new P2m(PagingMode.TWO_LEVEL, FRAMES, seed);
        Set<Long> seen = new HashSet<>();
        long moved = 0;
        for (long pfn = 0; pfn < FRAMES; pfn++) {
            long mfn = p2m.mfn(pfn);
            assertThat(seen.add(mfn)).as("mfn of pfn 0x%x is unique", pfn).isTrue();
            if (mfn != pfn) {
                moved++;
            }
        }
        assertThat(moved).isPositive();
    }

    @Test
    @DisplayName("a guest of a single block is still moved")
    void singleBlockIsMoved() {
        P2m p2m = new P2m(PagingMode.TWO_LEVEL, 1024, 7);
        assertThat(p2m.mfn(0)).isNotZero();
        assertThat(p2m.mfn(1023)).isEqualTo(p2m.mfn(0) + 1023);
    }

    @Test
    @DisplayName("frames inside a 4 MiB block stay contiguous, so large pages stay machine-contiguous")
    void blocksStayContiguous() {
        P2m p2m = new P2m(PagingMode.PAE, FRAMES, 7);
        for (long block = 0; block < FRAMES; block += 1024) {
            long base = p2m.mfn(block);
            assertThat(base % 1024).isZero();
            assertThat(p2m.mfn(block + 512)).isEqualTo(base + 512); // a PAE 2 MiB page in the upper half
            assertThat(p2m.mfn(block + 1023)).isEqualTo(base + 1023);
        }
    }

    @Test
    @DisplayName("the same seed gives the same map, another seed another one")
    void seeded() {
        P2m a = new P2m(PagingMode.TWO_LEVEL, FRAMES, 7);
        P2m b = new P2m(PagingMode.TWO_LEVEL, FRAMES, 7);
        P2m c = new P2m(PagingMode.TWO_LEVEL, FRAMES, 8);
        boolean differs = false;
        for (long pfn = 0; pfn < FRAMES; pfn += 1024) {
            assertThat(a.mfn(pfn)).isEqualTo(b.mfn(pfn));
            differs |= a.mfn(pfn) != c.mfn(pfn);
        }
        assertThat(differs).isTrue();
    }

    @Test
    @DisplayName("translation replaces the frame of a present entry, keeps every flag, and leaves other entries alone")
    void translateKeepsFlags() {
        P2m p2m = new P2m(PagingMode.PAE, FRAMES, 7);
        long entry = PagingMode.PAE.makeEntry(0x1234, EntryBits.PAGE_KERNEL | EntryBits.GLOBAL);
        long t = p2m.translate(entry);
        assertThat(PagingMode.PAE.entryPfn(t)).isEqualTo(p2m.mfn(0x1234)).isNotEqualTo(0x1234);
        assertThat(t & ~PagingMode.PAE.frameMask()).isEqualTo(entry & ~PagingMode.PAE.frameMask());
        assertThat(t & EntryBits.NX).isNotZero();
        assertThat(p2m.translate(0x5678_0000L)).isEqualTo(0x5678_0000L); // not present
        assertThat(p2m.translate(0)).isZero();
    }

    @Test
    @DisplayName("frames beyond the guest's RAM translate to themselves, and the machine stays addressable in 2-level mode")
    void beyondRamAndAddressable() {
        P2m full = new P2m(PagingMode.TWO_LEVEL, 1L << 20, 7); // a 4 GiB guest: no spare block to use
        assertThat(full.mfn((1L << 20) - 1)).isLessThan(1L << 20);
        P2m small = new P2m(PagingMode.TWO_LEVEL, FRAMES, 7);
        assertThat(small.mfn(FRAMES + 5)).isEqualTo(FRAMES + 5);
        assertThat(small.guestBlocks()).isEqualTo(64);
    }
}
