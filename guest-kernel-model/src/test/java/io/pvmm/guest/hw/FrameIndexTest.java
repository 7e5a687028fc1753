package io.pvmm.guest.hw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FrameIndex: one element per frame, neighbouring frames in different cache lines")
class FrameIndexTest {

    @Test
    @DisplayName("every frame has an element of its own, and a power-of-two guest needs not one element more")
    void bijection() {
        for (long frames : new long[] {1, 7, 100, 4096, 65536, 196_608, 1 << 20}) {
            for (int bytes : new int[] {1, 4, 8}) {
                FrameIndex index = FrameIndex.ofElements(frames, bytes);
                BitSet used = new BitSet(index.length());
                for (long pfn = 0; pfn < frames; pfn++) {
                    int i = index.of(pfn);
                    assertThat(i).as("frame %d of %d, %d-byte elements", pfn, frames, bytes).isBetween(0, index.length() - 1);
                    assertThat(used.get(i)).as("frame %d of %d shares element %d", pfn, frames, i).isFalse();
                    used.set(i);
                }
                if (Long.bitCount(frames) == 1 && frames * bytes >= FrameIndex.LINE_BYTES) {
                    assertThat((long) index.length()).as("%d frames", frames).isEqualTo(frames);
                }
            }
        }
    }

    @Test
    @DisplayName("frames closer than the number of lines never share a 128-byte line, for bytes, ints and bits")
    void neighboursApart() {
        long frames = 65536; // a 256 MiB guest
        FrameIndex bytes = FrameIndex.ofElements(frames, 1);
        FrameIndex ints = FrameIndex.ofElements(frames, 4);
        FrameIndex bits = FrameIndex.ofBits(frames);
        for (long a = 0x400; a < 0x440; a++) {
            for (long b = a + 1; b < 0x440; b++) {
                assertThat(bytes.of(a) / 128).as("flags of 0x%x and 0x%x", a, b).isNotEqualTo(bytes.of(b) / 128);
                assertThat(ints.of(a) / 32).as("counts of 0x%x and 0x%x", a, b).isNotEqualTo(ints.of(b) / 32);
                assertThat(bits.of(a) / 1024).as("free bits of 0x%x and 0x%x", a, b).isNotEqualTo(bits.of(b) / 1024);
            }
        }
    }

    @Test
    @DisplayName("a frame the guest does not have has no element")
    void outOfRange() {
        FrameIndex index = FrameIndex.ofElements(100, 1);
        assertThat(index.length()).isGreaterThan(100);
        assertThatThrownBy(() -> index.of(100)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("0x64");
        assertThatThrownBy(() -> index.of(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
