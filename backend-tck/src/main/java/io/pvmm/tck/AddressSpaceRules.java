package io.pvmm.tck;

import static io.pvmm.tck.Layouts.ANON;
import static io.pvmm.tck.Layouts.FAR;
import static io.pvmm.tck.Layouts.anon;
import static io.pvmm.tck.Layouts.page;
import static io.pvmm.tck.Layouts.process;
import static io.pvmm.tck.Layouts.read;
import static io.pvmm.tck.Layouts.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.mm.Vma;
import io.pvmm.guest.workload.Op;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Page faults, munmap and mprotect: the translation after each is what the vma says. */
abstract class AddressSpaceRules extends KitRules {

    /** Pages in one pte table's span in two-level mode (4 MiB). */
    private static final long SPAN = 1024;

    AddressSpaceRules(Supplier<BackendUnderTest> backend) {
        super(backend);
    }

    @Test
    @DisplayName("a read fault maps the shared zero page read-only; a later write maps a fresh writable page")
    void aReadFaultMapsTheZeroPage() {
        for (PagingMode mode : modes()) {
            Scenario.named("read fault").op(process(1)).op(anon(1, ANON, 4), read(1, ANON, 4))
                    .check("every page read maps the zero page, read-only", g -> {
                        for (int i = 0; i < 4; i++) {
                            Mmu.Translation t = g.translate(1, page(ANON, i));
                            assertThat(t).as("page %d", i).isNotNull();
                            assertThat(t.pfn()).as("page %d frame", i).isEqualTo(GuestView.ZERO_PAGE_PFN);
                            assertThat(t.writable()).as("page %d writable", i).isFalse();
                        }
                    })
                    .op(write(1, ANON, 1))
                    .check("the written page is a fresh writable frame", g -> {
                        Mmu.Translation t = g.translate(1, ANON);
                        assertThat(t.writable()).isTrue();
                        assertThat(t.pfn()).isNotEqualTo(GuestView.ZERO_PAGE_PFN);
                    })
                    .op(new Op.Exit(1), new Op.Reap())
                    .run(backend(), mode);
        }
    }

    @Test
    @DisplayName("a fault in an empty region links a new pte table and maps the page through it")
    void aFaultInAnEmptyRegionLinksANewTable() {
        for (PagingMode mode : modes()) {
            Scenario.named("first fault in a region").op(process(1)).op(anon(1, FAR, 1))
                    .check("nothing is linked for the region yet", g -> assertThat(pmd(g, 1, FAR)).isZero())
                    .op(write(1, FAR, 1))
                    .check("the region's pmd entry links a table and the page is mapped writable", g -> {
                        assertThat(pmd(g, 1, FAR)).isNotZero();
                        assertThat(g.translate(1, FAR)).isNotNull();
                        assertThat(g.translate(1, FAR).writable()).isTrue();
                    })
                    .op(new Op.Exit(1), new Op.Reap())
                    .run(backend(), mode);
        }
    }

    @Test
    @DisplayName("munmap removes the translations, and unlinks a pte table once its whole span is gone")
    void munmapRemovesTranslationsAndEmptyTables() {
        for (PagingMode mode : modes()) {
            Scenario.named("munmap").op(process(1)).op(anon(1, ANON, SPAN), write(1, ANON, SPAN))
                    .op(new Op.Munmap(1, ANON, SPAN / 2 * Layouts.PAGE))
                    .check("the first half is unmapped and the second half still mapped", g -> {
                        assertThat(g.translate(1, ANON)).isNull();
                        assertThat(g.translate(1, page(ANON, SPAN / 2 - 1))).isNull();
                        assertThat(g.translate(1, page(ANON, SPAN / 2))).isNotNull();
                    })
                    .op(new Op.Munmap(1, page(ANON, SPAN / 2), SPAN / 2 * Layouts.PAGE))
                    .check("nothing of the region is mapped and no table is linked for it", g -> {
                        assertThat(g.translate(1, page(ANON, SPAN - 1))).isNull();
                        for (long a = ANON; a < page(ANON, SPAN); a += g.kernel().mode().pmdSize()) {
                            assertThat(pmd(g, 1, a)).as("pmd entry for 0x%08x", a).isZero();
                        }
                    })
                    .op(new Op.Exit(1), new Op.Reap())
                    .run(backend(), mode);
        }
    }

    @Test
    @DisplayName("mprotect takes write permission away at once, and gives it back through the next write fault")
    void mprotectChangesPermissions() {
        for (PagingMode mode : modes()) {
            Scenario.named("mprotect").op(process(1)).op(anon(1, ANON, 8), write(1, ANON, 8))
                    .op(new Op.Mprotect(1, ANON, 8 * Layouts.PAGE, Vma.READ))
                    .check("every page is mapped read-only", g -> {
                        for (int i = 0; i < 8; i++) {
                            assertThat(g.translate(1, page(ANON, i))).as("page %d", i).isNotNull();
                            assertThat(g.translate(1, page(ANON, i)).writable()).as("page %d writable", i).isFalse();
                        }
                    })
                    .op(new Op.Mprotect(1, ANON, 8 * Layouts.PAGE, Layouts.RW), write(1, ANON, 2))
                    .check("the written pages are writable again, the others wait for their fault", g -> {
                        assertThat(g.translate(1, ANON).writable()).isTrue();
                        assertThat(g.translate(1, page(ANON, 1)).writable()).isTrue();
                        assertThat(g.translate(1, page(ANON, 2)).writable()).isFalse();
                    })
                    .op(new Op.Exit(1), new Op.Reap())
                    .run(backend(), mode);
        }
    }

    /** The guest-form pmd entry that maps {@code va} in a process, or 0 when its PAE root entry is absent. */
    static long pmd(GuestView g, int pid, long va) {
        PageTables tables = g.kernel().tables();
        long pa = tables.pmdEntryFor(g.root(pid), va);
        return pa < 0 ? 0 : tables.read(pa);
    }
}
