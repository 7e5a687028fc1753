package io.pvmm.guest.hw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.PagingMode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PhysicalMemory: sparse 4 KiB frames in the x86 entry layout")
class PhysicalMemoryTest {

    @Test
    @DisplayName("an untouched frame costs nothing and reads as zero; a written frame costs one 4 KiB array")
    void sparse() {
        PhysicalMemory m = new PhysicalMemory(PagingMode.TWO_LEVEL, 1 << 20);
        assertThat(m.readEntry(0x1234_5000L)).isZero();
        assertThat(m.materialisedFrames()).isZero();
        m.writeEntry(0x1234_5004L, 0);
        assertThat(m.materialisedFrames()).as("storing zero to an empty frame allocates nothing").isZero();
        m.writeEntry(0x1234_5004L, 0xDEAD_B067L);
        assertThat(m.materialisedFrames()).isEqualTo(1);
        assertThat(m.readEntry(0x1234_5004L)).isEqualTo(0xDEAD_B067L);
        m.clearFrame(0x12345);
        assertThat(m.readEntry(0x1234_5004L)).isZero();
        assertThat(m.materialisedFrames()).isZero();
    }

    @Test
    @DisplayName("2-level entries are 32 bits: the high half of a value is not kept")
    void twoLevelWidth() {
        PhysicalMemory m = new PhysicalMemory(PagingMode.TWO_LEVEL, 16);
        m.writeEntry(0x1000, 0x8000_0000_1234_5067L);
        assertThat(m.readEntry(0x1000)).isEqualTo(0x1234_5067L);
        assertThat(m.readEntry(0x1004)).isZero();
    }

    @Test
    @DisplayName("PAE entries are 64 bits, low word first, with NX at bit 63")
    void paeWidth() {
        PhysicalMemory m = new PhysicalMemory(PagingMode.PAE, 16);
        m.writeEntry(0x1008, 0x8000_0004_5678_9063L);
        assertThat(m.readEntry(0x1008)).isEqualTo(0x8000_0004_5678_9063L);
        assertThat(m.readEntry(0x1000)).isZero();
        assertThat(m.readEntry(0x1010)).isZero();
    }

    @Test
    @DisplayName("an address beyond the guest or not aligned to an entry is refused")
    void bounds() {
        PhysicalMemory m = new PhysicalMemory(PagingMode.PAE, 16);
        assertThatThrownBy(() -> m.readEntry(16L << 12)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> m.writeEntry(0x1004, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
