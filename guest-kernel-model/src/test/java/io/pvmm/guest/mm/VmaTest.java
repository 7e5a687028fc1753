package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.EntryBits;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A vma's own arithmetic: its bounds, its protection bits, slices and the child's copy at fork. */
class VmaTest {

    private static final long START = 0x4000_0000L;

    @Test
    @DisplayName("a vma is page-aligned and at least one page long")
    void bounds() {
        assertThat(Vma.of(START, START + 4096, Vma.READ, 0, 0).end()).isEqualTo(START + 4096);
        assertThatThrownBy(() -> Vma.of(START, START, Vma.READ, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad vma [0x40000000, 0x40000000)");
        assertThatThrownBy(() -> Vma.of(START + 4096, START, Vma.READ, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Vma.of(START + 1, START + 4096, Vma.READ, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Vma.of(START, START + 4097, Vma.READ, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("anonymous means no file; private means copy-on-write")
    void kinds() {
        assertThat(Vma.of(START, START + 4096, Vma.READ, 0, 0).anonymous()).isTrue();
        assertThat(Vma.of(START, START + 4096, Vma.READ, 3, 0).anonymous()).isFalse();
        assertThat(Vma.of(START, START + 4096, Vma.READ | Vma.WRITE, 0, 0).cow()).isTrue();
        assertThat(Vma.of(START, START + 4096, Vma.READ | Vma.WRITE | Vma.SHARED, 3, 0).cow()).isFalse();
    }

    @Test
    @DisplayName("protection as protection_map: PROT_NONE is PAGE_NONE, RW only when shared and writable, NX unless executable")
    void pageProt() {
        long base = EntryBits.PRESENT | EntryBits.USER | EntryBits.ACCESSED;
        assertThat(Vma.of(START, START + 4096, 0, 0, 0).pageProt()).isEqualTo(EntryBits.PAGE_NONE);
        assertThat(Vma.of(START, START + 4096, Vma.SHARED, 0, 0).pageProt()).isEqualTo(EntryBits.PAGE_NONE);
        assertThat(Vma.of(START, START + 4096, Vma.READ, 0, 0).pageProt()).isEqualTo(base | EntryBits.NX);
        assertThat(Vma.of(START, START + 4096, Vma.READ | Vma.WRITE, 0, 0).pageProt()).as("private: copy-on-write, read-only")
                .isEqualTo(base | EntryBits.NX);
        assertThat(Vma.of(START, START + 4096, Vma.READ | Vma.WRITE | Vma.SHARED, 0, 0).pageProt()).isEqualTo(base | EntryBits.RW | EntryBits.NX);
        assertThat(Vma.of(START, START + 4096, Vma.READ | Vma.SHARED, 0, 0).pageProt()).isEqualTo(base | EntryBits.NX);
        assertThat(Vma.of(START, START + 4096, Vma.EXEC, 0, 0).pageProt()).isEqualTo(base);
    }

    @Test
    @DisplayName("a slice keeps the flags and file and moves the file offset by the pages cut off; fileIndex counts pages from the start")
    void slices() {
        Vma v = Vma.of(START, START + 16 * 4096, Vma.READ, 5, 100);
        assertThat(v.fileIndex(START)).isEqualTo(100);
        assertThat(v.fileIndex(START + 3 * 4096 + 17)).isEqualTo(103);
        Vma s = v.slice(START + 4 * 4096, START + 8 * 4096);
        assertThat(s).isEqualTo(new Vma(START + 4 * 4096, START + 8 * 4096, Vma.READ, 5, 104, v.anonVma()));
        assertThat(s.fileIndex(START + 5 * 4096)).isEqualTo(105);
        assertThat(v.withFlags(Vma.READ | Vma.WRITE).flags()).isEqualTo(Vma.READ | Vma.WRITE);
    }

    @Test
    @DisplayName("the child's copy at fork gets its own anon_vma, prepared only if the parent's was")
    void forChild() {
        Vma parent = Vma.of(START, START + 4096, Vma.READ | Vma.WRITE, 0, 0);
        Vma fresh = parent.forChild();
        assertThat(fresh.anonVma()).isNotSameAs(parent.anonVma());
        assertThat(fresh.anonVma().present()).isFalse();
        parent.anonVma().prepare();
        Vma child = parent.forChild();
        assertThat(child.anonVma()).isNotSameAs(parent.anonVma());
        assertThat(child.anonVma().present()).isTrue();
        assertThat(child).extracting(Vma::start, Vma::end, Vma::flags, Vma::fileId, Vma::pgoff)
                .containsExactly(START, START + 4096, Vma.READ | Vma.WRITE, 0, 0L);
    }
}
