package io.pvmm.guest.hw;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Mmu: the hardware page walk, independent of the kernel code")
class MmuTest {

    private static final long U = EntryBits.USER;
    private static final long RW = EntryBits.RW;
    private static final long P = EntryBits.PRESENT;

    @Test
    @DisplayName("2-level: a 4 KiB page through PDE and PTE, permissions the AND of both levels")
    void twoLevelSmallPage() {
        PhysicalMemory m = new PhysicalMemory(PagingMode.TWO_LEVEL, 4096);
        long root = 0x10_000;
        long pt = 0x11_000;
        m.writeEntry(root + 0x040 * 4, pt | P | RW | U);             // va 0x10000000
        m.writeEntry(pt + 0x005 * 4, 0x123_000 | P | U);              // read-only user page
        Mmu mmu = new Mmu(m, PagingMode.TWO_LEVEL, e -> e, true);
        Mmu.Translation t = mmu.translate(root, 0x1000_5abcL);
        assertThat(t.pa()).isEqualTo(0x123_000);
        assertThat(t.pageSize()).isEqualTo(4096);
        assertThat(t.user()).isTrue();
        assertThat(t.writable()).isFalse();
        assertThat(mmu.allows(root, 0x1000_5000L, Mmu.Access.USER_READ)).isTrue();
        assertThat(mmu.allows(root, 0x1000_5000L, Mmu.Access.USER_WRITE)).isFalse();
        assertThat(mmu.translate(root, 0x1000_6000L)).isNull();
        assertThat(mmu.translate(root, 0x2000_0000L)).isNull();
    }

    @Test
    @DisplayName("a PROT_NONE pte (PROTNONE and a frame, PRESENT clear) is not translated, in either paging mode")
    void protNoneIsNotPresent() {
        for (PagingMode mode : PagingMode.values()) {
            PhysicalMemory m = new PhysicalMemory(mode, 4096);
            long root = 0x10_000;
            long pt = 0x12_000;
            if (mode == PagingMode.PAE) {
                long pmd = 0x11_000;
                m.writeEntry(root + 1 * 8, pmd | P);                     // va 0x40000000
                m.writeEntry(pmd, pt | P | RW | U);
            } else {
                m.writeEntry(root + 0x100 * 4, pt | P | RW | U);         // va 0x40000000
            }
            m.writeEntry(pt + 0 * mode.entryBytes(), 0x123_000 | EntryBits.PAGE_NONE);
            m.writeEntry(pt + 1 * mode.entryBytes(), 0x124_000 | P | U | EntryBits.ACCESSED);
            Mmu mmu = new Mmu(m, mode, e -> e, true);
            assertThat(mmu.translate(root, 0x4000_0000L)).as("%s: PROT_NONE page", mode).isNull();
            assertThat(mmu.allows(root, 0x4000_0000L, Mmu.Access.KERNEL_READ)).isFalse();
            assertThat(mmu.translate(root, 0x4000_1000L).pa()).as("%s: its readable neighbour", mode).isEqualTo(0x124_000);
            List<Long> seen = new ArrayList<>();
            mmu.forEachPage(root, 0x4000_0000L, 0x4000_4000L, t -> seen.add(t.va()));
            assertThat(seen).as("%s: forEachPage skips the PROT_NONE page", mode).containsExactly(0x4000_1000L);
        }
    }

    @Test
    @DisplayName("2-level: a PS entry is a 4 MiB page only when CR4.PSE is on")
    void twoLevelLargePage() {
        PhysicalMemory m = new PhysicalMemory(PagingMode.TWO_LEVEL, 4096);
        long root = 0x10_000;
        m.writeEntry(root + 0x300 * 4, 0x0040_0000L | P | RW | EntryBits.PSE);
        Mmu pse = new Mmu(m, PagingMode.TWO_LEVEL, e -> e, true);
        Mmu.Translation t = pse.translate(root, 0xC012_3456L);
        assertThat(t.pa()).isEqualTo(0x0040_0000L);
        assertThat(t.va()).isEqualTo(0xC000_0000L);
        assertThat(t.pageSize()).isEqualTo(4L << 20);
        assertThat(t.user()).isFalse();
        Mmu noPse = new Mmu(m, PagingMode.TWO_LEVEL, e -> e, false);
        assertThat(noPse.translate(root, 0xC012_3456L)).as("PS ignored: the entry names a pte page of zeros").isNull();
    }

    @Test
    @DisplayName("PAE: PDPTE, 2 MiB page, and NX at any level forbids instruction fetch")
    void paeLargeAndNx() {
        PhysicalMemory m = new PhysicalMemory(PagingMode.PAE, 4096);
        long root = 0x10_000;
        long pmd = 0x11_000;
        long pt = 0x12_000;
        m.writeEntry(root + 3 * 8, pmd | P);
        m.writeEntry(pmd + 0 * 8, 0x0020_0000L | P | RW | EntryBits.PSE);
        m.writeEntry(pmd + 1 * 8, pt | P | RW | EntryBits.NX);
        m.writeEntry(pt + 0 * 8, 0x0030_0000L | P | RW);
        Mmu mmu = new Mmu(m, PagingMode.PAE, e -> e, true);
        Mmu.Translation big = mmu.translate(root, 0xC010_0000L);
        assertThat(big.pageSize()).isEqualTo(2L << 20);
        assertThat(big.pa()).isEqualTo(0x0020_0000L);
        assertThat(big.executable()).isTrue();
        Mmu.Translation small = mmu.translate(root, 0xC020_0000L);
        assertThat(small.pa()).isEqualTo(0x0030_0000L);
        assertThat(small.executable()).as("NX in the pmd covers the page").isFalse();
        assertThat(mmu.translate(root, 0x1000)).as("PDPTE 0 not present").isNull();
    }

    @Test
    @DisplayName("the walk reads entries through pte_val, so machine-frame entries translate in guest terms")
    void entryValueTranslation() {
        PhysicalMemory m = new PhysicalMemory(PagingMode.TWO_LEVEL, 4096);
        long root = 0x10_000;
        long machinePt = 0x51_000;
        long guestPt = 0x11_000;
        m.writeEntry(root, machinePt | P | RW | U);
        m.writeEntry(guestPt, 0x55_000 | P | U);
        Mmu mmu = new Mmu(m, PagingMode.TWO_LEVEL, e -> (e & 0xFFF) | ((e & ~0xFFFL) - 0x40_000), true);
        assertThat(mmu.translate(root, 0x0).pa()).isEqualTo(0x15_000);
    }

    @Test
    @DisplayName("forEachPage visits present pages in order, splits large pages and skips absent tables")
    void forEachPage() {
        PhysicalMemory m = new PhysicalMemory(PagingMode.TWO_LEVEL, 4096);
        long root = 0x10_000;
        long pt = 0x11_000;
        m.writeEntry(root + 1 * 4, pt | P | RW | U);
        m.writeEntry(pt + 2 * 4, 0x20_000 | P | U);
        m.writeEntry(pt + 9 * 4, 0x21_000 | P | U);
        m.writeEntry(root + 5 * 4, 0x0080_0000L | P | EntryBits.PSE);
        Mmu mmu = new Mmu(m, PagingMode.TWO_LEVEL, e -> e, true);
        List<Long> vas = new ArrayList<>();
        mmu.forEachPage(root, 0, 0x0180_0000L, t -> vas.add(t.va()));
        assertThat(vas).hasSize(2 + 1024);
        assertThat(vas.get(0)).isEqualTo(0x0040_2000L);
        assertThat(vas.get(1)).isEqualTo(0x0040_9000L);
        assertThat(vas.get(2)).isEqualTo(0x0140_0000L);
    }
}
