package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.Guests;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("mmap.c: where a mapping with no address goes")
class MmapTest {

    private static final long PAGE = 4096;

    @Test
    @DisplayName("top-down below mmap_base: each new mapping right under the last, a gap used only when the mapping fits in it")
    void topDown() {
        Processes p = Guests.boot(PagingMode.TWO_LEVEL, GuestConfig.DEFAULTS.withMemoryMib(32)).kernel().processes();
        p.spawnKernelThread(1);
        assertThat(p.exec(1, ExecImage.DEFAULT)).isEqualTo(Outcome.OK);
        long a = p.mmap(1, 0, 4 * PAGE, Vma.READ | Vma.WRITE, 0, 0);
        long b = p.mmap(1, 0, 2 * PAGE, Vma.READ | Vma.WRITE, 0, 0);
        assertThat(a).isEqualTo(Mmap.MMAP_BASE - 4 * PAGE);
        assertThat(b).isEqualTo(a - 2 * PAGE);

        // a fixed mapping 3 pages below b leaves a 3-page hole between them
        long c = p.mmap(1, b - 5 * PAGE, 2 * PAGE, Vma.READ | Vma.WRITE, 0, 0);
        assertThat(c).isEqualTo(b - 5 * PAGE);
        long fits = p.mmap(1, 0, 3 * PAGE, Vma.READ | Vma.WRITE, 0, 0);
        assertThat(fits).as("exactly fills the hole").isEqualTo(b - 3 * PAGE);
        long tooBig = p.mmap(1, 0, 2 * PAGE, Vma.READ | Vma.WRITE, 0, 0);
        assertThat(tooBig).as("no hole left above c: goes under it").isEqualTo(c - 2 * PAGE);
    }
}
