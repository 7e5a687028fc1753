package io.pvmm.tck;

import static io.pvmm.tck.Layouts.ANON;
import static io.pvmm.tck.Layouts.anon;
import static io.pvmm.tck.Layouts.process;
import static io.pvmm.tck.Layouts.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.PageAttr;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.workload.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code change_page_attr} on the direct map's large pages: the split ({@code alloc_pt} on an unzeroed
 * table, its ptes, then {@code set_pmd_pte} on every root) and the revert ({@code release_pt} while the
 * pmd still links the table, then {@code set_pmd_pte}). Applies only where the backend allows PSE.
 */
abstract class PageAttrRules extends KitRules {

    PageAttrRules(Supplier<BackendUnderTest> backend) {
        super(backend);
    }

    private List<PagingMode> pseModes() {
        return modesWhere(m -> backend().platform(m).allowsPse(),
                "forbids PSE in every declared mode, so change_page_attr never splits a large page");
    }

    @Test
    @DisplayName("splitting a large page keeps the direct map and uncaches exactly the page asked for, in every root")
    void splittingALargePageKeepsTheDirectMap() {
        for (PagingMode mode : pseModes()) {
            Scenario.named("split").op(process(1)).op(anon(1, ANON, 4), write(1, ANON, 4), new Op.Fork(1, 2))
                    .check("the direct map is all large pages", g -> assertThat(splitTables(g.kernel())).isEmpty())
                    .op(new Op.Kalloc(1, 1), new Op.ChangePageAttr(1, PageAttr.Attr.NOCACHE))
                    .check("one large page was split, with exactly one uncached pte", g -> {
                        List<Long> split = splitTables(g.kernel());
                        assertThat(split).hasSize(1);
                        assertThat(uncached(g.kernel(), split.get(0))).isEqualTo(1);
                    })
                    .op(new Op.ChangePageAttr(1, PageAttr.Attr.KERNEL), new Op.GlobalFlushTlb(), new Op.Kfree(1))
                    .op(new Op.Exit(2), new Op.Exit(1), new Op.Reap())
                    .run(backend(), mode);
        }
    }

    @Test
    @DisplayName("reverting a split page restores the large page in every root and frees the table after the flush")
    void revertingRestoresTheLargePage() {
        for (PagingMode mode : pseModes()) {
            Scenario.named("revert").op(process(1)).op(anon(1, ANON, 4), write(1, ANON, 4), new Op.Fork(1, 2))
                    .op(new Op.Kalloc(1, 2), new Op.ChangePageAttr(1, PageAttr.Attr.NOCACHE))
                    .op(new Op.ChangePageAttr(1, PageAttr.Attr.KERNEL))
                    .check("the large page is back before the flush", g -> assertThat(splitTables(g.kernel())).isEmpty())
                    .op(new Op.GlobalFlushTlb())
                    .check("the table waits no more for the flush", g -> assertThat(g.kernel().pageAttr().deferredPages()).isZero())
                    .op(new Op.Fork(1, 3))
                    .check("a root made after the revert has the large page too", g -> assertThat(splitTables(g.kernel())).isEmpty())
                    .op(new Op.Kfree(1), new Op.Exit(3), new Op.Exit(2), new Op.Exit(1), new Op.Reap())
                    .run(backend(), mode);
        }
    }

    /** The direct map's pmd entries, in {@code swapper_pg_dir}, that link a pte table instead of a large page. */
    static List<Long> splitTables(GuestKernel kernel) {
        GuestLayout layout = kernel.layout();
        PageTables tables = kernel.tables();
        List<Long> out = new ArrayList<>();
        for (long va = PagingMode.PAGE_OFFSET; va < layout.directMapAddress(layout.maxLowPfn()); va += kernel.mode().pmdSize()) {
            long pmd = tables.read(tables.pmdEntryFor(layout.swapperPgDir(), va));
            if (EntryBits.isPresent(pmd) && !EntryBits.isLarge(pmd)) {
                out.add(pmd);
            }
        }
        return out;
    }

    /** How many ptes of the table a pmd entry links are uncached. */
    private static long uncached(GuestKernel kernel, long pmd) {
        PageTables tables = kernel.tables();
        long n = 0;
        for (int i = 0; i < kernel.mode().ptrsPerPte(); i++) {
            long pte = tables.read((pmd & kernel.mode().frameMask()) + (long) i * tables.entryBytes());
            if ((pte & EntryBits.PCD) != 0) {
                n++;
            }
        }
        return n;
    }
}
