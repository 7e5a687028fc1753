package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.Guests;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("rss: file_rss + anon_rss counts every present user pte, the zero page's included")
class RssTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);
    private static final long HEAP = 0x4000_0000L;
    private static final long FILE = 0x6000_0000L;

    /** Counts the ptes of every vma of {@code mm} that pte_present says map a page. */
    private static long presentPtes(GuestKernel k, MmStruct mm) {
        PageTables t = k.tables();
        long n = 0;
        for (Vma vma : mm.vmaList()) {
            for (long va = vma.start(); va < vma.end(); va += 4096) {
                long pmdPa = t.pmdEntryFor(mm.pgd(), va);
                if (pmdPa < 0 || PageTables.pmdNone(t.read(pmdPa))) {
                    continue;
                }
                if (PageTables.ptePresent(t.read(t.pteOffset(t.read(pmdPa), va)))) {
                    n++;
                }
            }
        }
        return n;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("read and write faults, a fork and a copy-on-write break keep rss equal to the present ptes, and exit brings it back to 0")
    void balances(PagingMode mode) {
        GuestKernel k = Guests.boot(mode, SMALL).kernel();
        Processes p = k.processes();
        p.spawnKernelThread(1);
        assertThat(p.exec(1, ExecImage.DEFAULT)).isEqualTo(Outcome.OK);
        p.mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, false);            // the zero page
        p.touch(1, HEAP + 4096, false);     // the zero page, then its copy-on-write break
        p.touch(1, HEAP + 4096, true);
        p.touch(1, HEAP + 8192, true);      // a fresh anonymous page
        p.mmap(1, FILE, 1 << 16, Vma.READ | Vma.WRITE, 7, 0);
        p.touch(1, FILE, false);            // a file page
        p.touch(1, FILE + 4096, true);      // a private copy of one
        MmStruct parent = p.task(1).mm();
        assertThat(parent.rss().get()).isEqualTo(presentPtes(k, parent)).isEqualTo(ExecImage.DEFAULT.stackPages() + 5);

        assertThat(p.fork(1, 2)).isEqualTo(Outcome.OK);
        MmStruct child = p.task(2).mm();
        assertThat(child.rss().get()).as("the child counts what it was given").isEqualTo(presentPtes(k, child));
        assertThat(p.touch(2, HEAP, true)).isEqualTo(Outcome.OK);
        assertThat(child.rss().get()).as("a copy-on-write break replaces a page, it adds none").isEqualTo(presentPtes(k, child));

        p.exit(1);
        p.exit(2);
        assertThat(parent.rss().get()).as("the parent's rss after exit").isZero();
        assertThat(child.rss().get()).as("the child's rss after exit").isZero();
    }
}
