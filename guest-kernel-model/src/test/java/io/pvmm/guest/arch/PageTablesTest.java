package io.pvmm.guest.arch;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.hw.PhysicalMemory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

@DisplayName("PageTables: the pmd entry for an address, the root entry read once")
class PageTablesTest {

    private static final long ROOT = 0x10_000L;
    private static final long PMD_FRAME = 0x20;
    private static final long ADDRESS = 0x4060_3000L;

    private final ParavirtOps ops = Mockito.mock(ParavirtOps.class);

    PageTablesTest() {
        Mockito.when(ops.entryValue(Mockito.anyLong())).thenAnswer(inv -> inv.getArgument(0));
    }

    private PageTables tables(PagingMode mode, PhysicalMemory memory) {
        // 2.6.23, whose paravirt_ops read entries through pte_val: the reads are counted there
        return new PageTables(mode, memory, new Paravirt(ops, memory,
                new io.pvmm.guest.hw.Tlbs(1, io.pvmm.guest.hw.TlbGeometry.CORE2, mode, false, () -> 0), KernelVersion.V2_6_23));
    }

    @Test
    @DisplayName("PAE: a present root entry is read once, tested and followed to the pmd entry")
    void paeReadsRootOnce() {
        PhysicalMemory memory = new PhysicalMemory(PagingMode.PAE, 64);
        long pgdEntry = ROOT + (long) PagingMode.PAE.pgdIndex(ADDRESS) * 8;
        memory.writeEntry(pgdEntry, (PMD_FRAME << 12) | EntryBits.PRESENT);
        PageTables t = tables(PagingMode.PAE, memory);

        long pmdPa = t.pmdEntryFor(ROOT, ADDRESS);

        assertThat(pmdPa).isEqualTo((PMD_FRAME << 12) + (long) PagingMode.PAE.pmdIndex(ADDRESS) * 8);
        Mockito.verify(ops, Mockito.times(1)).entryValue(Mockito.anyLong());
    }

    @Test
    @DisplayName("PAE: a root entry that is not present gives -1 after one read")
    void paeAbsentRoot() {
        PhysicalMemory memory = new PhysicalMemory(PagingMode.PAE, 64);
        assertThat(tables(PagingMode.PAE, memory).pmdEntryFor(ROOT, ADDRESS)).isEqualTo(-1);
        Mockito.verify(ops, Mockito.times(1)).entryValue(Mockito.anyLong());
    }

    @Test
    @DisplayName("2-level: the pmd is folded into the root entry, which is not read at all")
    void twoLevelFolded() {
        PhysicalMemory memory = new PhysicalMemory(PagingMode.TWO_LEVEL, 64);
        assertThat(tables(PagingMode.TWO_LEVEL, memory).pmdEntryFor(ROOT, ADDRESS))
                .isEqualTo(ROOT + (long) PagingMode.TWO_LEVEL.pgdIndex(ADDRESS) * 4);
        Mockito.verify(ops, Mockito.never()).entryValue(Mockito.anyLong());
    }
}
