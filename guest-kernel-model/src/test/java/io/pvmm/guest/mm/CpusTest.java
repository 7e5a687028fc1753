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
}
