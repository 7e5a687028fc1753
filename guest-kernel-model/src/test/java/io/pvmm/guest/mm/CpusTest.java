package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The per-CPU state, numbered from 0. */
class CpusTest {

    @Test
    @DisplayName("CPUs are numbered 0 .. n-1, the first included; a number beyond them is refused")
    void numbering() {
        Cpus cpus = new Cpus(2);
        assertThat(cpus.count()).isEqualTo(2);
        assertThat(cpus.get(0).id()).isZero();
        assertThat(cpus.get(1).id()).isEqualTo(1);
        assertThatThrownBy(() -> cpus.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> cpus.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    @DisplayName("each CPU's active_mm and lazy mode are its own (DEFINE_PER_CPU): setting one CPU's leaves the other's")
    void perCpu() {
        Cpus cpus = new Cpus(2);
        MmStruct mm = new MmStruct(0x5000);
        cpus.get(1).setActiveMm(mm);
        cpus.get(1).setLazyMmu(true);
        assertThat(cpus.get(0).activeMm()).isNull();
        assertThat(cpus.get(0).lazyMmu()).isFalse();
        assertThat(cpus.get(1).activeMm()).isSameAs(mm);
        assertThat(cpus.get(1).lazyMmu()).isTrue();
        assertThat(cpus.isCurrent(null)).as("the calling thread acts as CPU 0, which has init_mm loaded").isTrue();
    }
}
