package io.pvmm.backend.xen.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import io.pvmm.backend.xen.XenRule;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The hypervisor's audit finds what goes wrong behind its back. */
class TypeAuditTest {

    private final Domain d = new Domain(PagingMode.TWO_LEVEL);

    @BeforeEach
    void pinnedTree() {
        d.put(10, 0, 11, EntryBits.PAGE_TABLE);
        d.put(11, 0, 20, EntryBits.PAGE_SHARED);
        d.mmuext(MmuextCmd.PIN_L2_TABLE, 10);
        d.newBase(0, 10);
    }

    @Test
    @DisplayName("a consistent state audits clean")
    void clean() {
        assertThat(d.hv.audit()).isEmpty();
    }

    @Test
    @DisplayName("type-count-mismatch: an entry written into a validated table behind Xen's back")
    void typeCountMismatch() {
        d.put(11, 1, 21, EntryBits.PAGE_SHARED);

        assertThat(d.hv.audit()).extracting(Finding::rule).containsExactly(XenRule.TYPE_COUNT_MISMATCH);
        assertThat(d.hv.audit().get(0).pfn()).isEqualTo(21);
    }

    @Test
    @DisplayName("type-count-mismatch: a reference nobody holds any more")
    void strayReference() {
        d.put(11, 0, 0, 0); // the mapping of frame 20 vanished without a put

        assertThat(d.hv.audit()).extracting(Finding::rule, Finding::pfn)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(XenRule.TYPE_COUNT_MISMATCH, 20L));
    }

    @Test
    @DisplayName("an audit leaves nothing behind for the next: a repaired mismatch audits clean, and audits repeat")
    void auditsAreIndependent() {
        d.put(11, 1, 21, EntryBits.PAGE_SHARED);
        d.put(11, 2, 22, EntryBits.PAGE_TABLE | EntryBits.RW);
        List<Finding> first = d.hv.audit();
        assertThat(first).extracting(Finding::rule, Finding::pfn).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(XenRule.TYPE_COUNT_MISMATCH, 21L),
                org.assertj.core.groups.Tuple.tuple(XenRule.TYPE_COUNT_MISMATCH, 22L));
        assertThat(d.hv.audit()).isEqualTo(first);

        d.put(11, 1, 0, 0);
        d.put(11, 2, 0, 0);

        assertThat(d.hv.audit()).isEmpty();
    }

    @Test
    @DisplayName("page-table-mapped-writable: a validated L1 maps a page table writable")
    void pageTableMappedWritable() {
        d.put(11, 2, 10, EntryBits.PAGE_SHARED);

        assertThat(d.hv.audit()).extracting(Finding::rule)
                .contains(XenRule.PAGE_TABLE_MAPPED_WRITABLE, XenRule.TYPE_COUNT_MISMATCH);
    }

    @Test
    @DisplayName("page-table-in-free-pool: a typed or pinned frame the guest has freed")
    void pageTableInFreePool() {
        d.memory.setFree(11, true);

        assertThat(d.hv.audit()).extracting(Finding::rule, Finding::pfn)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(XenRule.PAGE_TABLE_IN_FREE_POOL, 11L));
    }
}
