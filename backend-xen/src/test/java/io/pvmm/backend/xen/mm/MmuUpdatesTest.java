package io.pvmm.backend.xen.mm;

import static io.pvmm.backend.xen.Violations.RULE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.backend.xen.XenRule;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Checked entry updates in 2-level mode: {@code mmu_update}, {@code update_va_mapping}, trapped
 * writes, and the rules they enforce. A pinned root {@value #ROOT} links the L1 {@value #L1}, which
 * maps page {@value #PAGE} writable at index 0.
 */
class MmuUpdatesTest {

    private static final long ROOT = 10;
    private static final long L1 = 11;
    private static final long PAGE = 20;
    private static final long OTHER = 21;

    private final Domain d = new Domain(PagingMode.TWO_LEVEL);

    @BeforeEach
    void pinnedTree() {
        d.put(ROOT, 0, L1, EntryBits.PAGE_TABLE);
        d.put(L1, 0, PAGE, EntryBits.PAGE_SHARED);
        d.mmuext(MmuextCmd.PIN_L2_TABLE, ROOT);
    }

    @Test
    @DisplayName("pinning validates the tree: the root is an L2, what it links is an L1, what that maps writable is writable")
    void pinTypesTheTree() {
        assertThat(d.type(ROOT)).isEqualTo(PageType.L2);
        assertThat(d.pinned(ROOT)).isTrue();
        assertThat(d.type(L1)).isEqualTo(PageType.L1);
        assertThat(d.count(L1)).isEqualTo(1);
        assertThat(d.type(PAGE)).isEqualTo(PageType.WRITABLE);
        assertThat(d.count(PAGE)).isEqualTo(1);
        assertThat(d.hv.audit()).isEmpty();
    }

    @Test
    @DisplayName("an L1 update takes the new entry's reference and drops the old one's")
    void movesReferences() {
        d.mmuUpdate(L1, 0, d.entry(OTHER, EntryBits.PAGE_SHARED));

        assertThat(d.count(PAGE)).isZero();
        assertThat(d.count(OTHER)).isEqualTo(1);
        assertThat(d.raw(L1, 0)).isEqualTo(d.entry(OTHER, EntryBits.PAGE_SHARED));
        assertThat(d.hv.audit()).isEmpty();
    }

    @Test
    @DisplayName("a change of accessed or dirty bits takes the fast path and keeps the references")
    void fastPath() {
        d.mmuUpdate(L1, 0, d.entry(PAGE, EntryBits.PAGE_SHARED | EntryBits.DIRTY));

        assertThat(d.count(PAGE)).isEqualTo(1);
        assertThat(d.hv.audit()).isEmpty();
    }

    @Test
    @DisplayName("making a mapping read-only drops its writable reference")
    void writeProtectDropsReference() {
        d.mmuUpdate(L1, 0, d.entry(PAGE, EntryBits.PAGE_READONLY));

        assertThat(d.count(PAGE)).isZero();
        assertThat(d.hv.audit()).isEmpty();
    }

    @Test
    @DisplayName("typed-frame-mapped-writable: an L1 entry may not map a page table writable, and nothing changes")
    void typedFrameMappedWritable() {
        String before = d.snapshot();

        assertThatThrownBy(() -> d.mmuUpdate(L1, 1, d.entry(ROOT, EntryBits.PAGE_SHARED)))
                .isInstanceOf(XenViolation.class)
                .extracting(RULE).isEqualTo(XenRule.TYPED_FRAME_MAPPED_WRITABLE);
        assertThat(d.snapshot()).isEqualTo(before);
    }

    @Test
    @DisplayName("a page table may be mapped read-only")
    void readOnlyMappingOfTableIsFine() {
        d.mmuUpdate(L1, 1, d.entry(ROOT, EntryBits.PAGE_READONLY));

        assertThat(d.count(ROOT)).isEqualTo(1);
        assertThat(d.hv.audit()).isEmpty();
    }

    @Test
    @DisplayName("page-table-type-conflict: a frame mapped writable cannot be linked as an L1")
    void pageTableTypeConflictWritable() {
        String before = d.snapshot();

        assertThatThrownBy(() -> d.mmuUpdate(ROOT, 1, d.entry(PAGE, EntryBits.PAGE_TABLE)))
                .extracting(RULE).isEqualTo(XenRule.PAGE_TABLE_TYPE_CONFLICT);
        assertThat(d.snapshot()).isEqualTo(before);
    }

    @Test
    @DisplayName("page-table-type-conflict: an L2 cannot be linked as an L1 (no linear page tables)")
    void pageTableTypeConflictLevel() {
        assertThatThrownBy(() -> d.mmuUpdate(ROOT, 2, d.entry(ROOT, EntryBits.PAGE_TABLE)))
                .extracting(RULE).isEqualTo(XenRule.PAGE_TABLE_TYPE_CONFLICT);
    }

    @Test
    @DisplayName("disallowed-entry-bits: GLOBAL in an L1 entry and PSE in an L2 entry are refused")
    void disallowedEntryBits() {
        assertThatThrownBy(() -> d.mmuUpdate(L1, 3, d.entry(OTHER, EntryBits.PAGE_READONLY | EntryBits.GLOBAL)))
                .extracting(RULE).isEqualTo(XenRule.DISALLOWED_ENTRY_BITS);
        assertThatThrownBy(() -> d.mmuUpdate(ROOT, 3, d.entry(OTHER, EntryBits.PAGE_KERNEL_LARGE_EXEC)))
                .extracting(RULE).isEqualTo(XenRule.DISALLOWED_ENTRY_BITS);
        assertThat(d.raw(L1, 3)).isZero();
        assertThat(d.raw(ROOT, 3)).isZero();
    }

    @Test
    @DisplayName("frame-not-owned: an entry naming a machine frame beyond the domain is refused")
    void frameNotOwned() {
        long beyond = ((long) Domain.FRAMES + 5) << PagingMode.PAGE_SHIFT | EntryBits.PAGE_READONLY;

        assertThatThrownBy(() -> d.mmuUpdate(L1, 4, beyond)).extracting(RULE).isEqualTo(XenRule.FRAME_NOT_OWNED);
    }

    @Test
    @DisplayName("xen-private-slot-update: a 2-level root's slots from 1008 (0xFC000000) up are Xen's")
    void xenPrivateSlotUpdate() {
        assertThatThrownBy(() -> d.mmuUpdate(ROOT, 1008, d.entry(OTHER, EntryBits.PAGE_TABLE)))
                .extracting(RULE).isEqualTo(XenRule.XEN_PRIVATE_SLOT_UPDATE);
        d.mmuUpdate(ROOT, 1007, 0); // the last guest slot is the guest's
    }

    @Test
    @DisplayName("linking a new L1 validates it; unlinking its last reference invalidates it and drops its entries' references")
    void linkValidatesUnlinkInvalidates() {
        d.put(OTHER, 7, 30, EntryBits.PAGE_SHARED);
        d.mmuUpdate(ROOT, 5, d.entry(OTHER, EntryBits.PAGE_TABLE));
        assertThat(d.type(OTHER)).isEqualTo(PageType.L1);
        assertThat(d.count(30)).isEqualTo(1);

        d.mmuUpdate(ROOT, 5, 0);

        assertThat(d.count(OTHER)).isZero();
        assertThat(d.count(30)).isZero();
        assertThat(d.hv.audit()).isEmpty();
    }

    @Test
    @DisplayName("a frame that is not a page table is updated as plain memory, under a transient writable reference")
    void notAPageTable() {
        long pse = d.entry(OTHER, EntryBits.PAGE_KERNEL_LARGE_EXEC);
        d.mmuUpdate(40, 0, pse);

        assertThat(d.raw(40, 0)).isEqualTo(pse);
        assertThat(d.count(40)).isZero();
        assertThat(d.type(40)).isEqualTo(PageType.WRITABLE);
    }

    @Test
    @DisplayName("an unpinned table keeps its type, so an update is still checked as a table's")
    void keptTypeIsChecked() {
        d.mmuext(MmuextCmd.UNPIN_TABLE, ROOT);
        assertThat(d.type(L1)).isEqualTo(PageType.L1);
        assertThat(d.count(L1)).isZero();

        assertThatThrownBy(() -> d.mmuUpdate(L1, 2, d.entry(OTHER, EntryBits.PAGE_SHARED | EntryBits.GLOBAL)))
                .extracting(RULE).isEqualTo(XenRule.DISALLOWED_ENTRY_BITS);
        d.mmuUpdate(L1, 2, d.entry(OTHER, EntryBits.PAGE_SHARED));
        assertThat(d.count(L1)).isZero();
        assertThat(d.count(OTHER)).isZero(); // validated, updated, invalidated again
        assertThat(d.hv.audit()).isEmpty();
    }

    @Test
    @DisplayName("update_va_mapping changes the L1 entry that maps the address in the vCPU's current address space")
    void updateVaMapping() {
        d.newBase(0, ROOT);
        d.hv.hypercall(0, new Hypercall.UpdateVaMapping(0x0000_0000L, d.entry(OTHER, EntryBits.PAGE_SHARED)));

        assertThat(d.raw(L1, 0)).isEqualTo(d.entry(OTHER, EntryBits.PAGE_SHARED));
        assertThat(d.count(OTHER)).isEqualTo(1);
        assertThat(d.counters.updateVaMapping.get()).isEqualTo(1);
        assertThat(d.hv.audit()).isEmpty();
    }

    @Test
    @DisplayName("update-va-mapping-unmapped: an address with no L1 under the current base is refused")
    void updateVaMappingUnmapped() {
        d.newBase(0, ROOT);

        assertThatThrownBy(() -> d.hv.hypercall(0, new Hypercall.UpdateVaMapping(0x4000_0000L, 0)))
                .extracting(RULE).isEqualTo(XenRule.UPDATE_VA_MAPPING_UNMAPPED);
    }

    @Test
    @DisplayName("a trapped write to a typed L1 is emulated with the L1 checks")
    void trappedWriteEmulated() {
        d.hv.trappedWrite(d.mfn(L1), 9, d.entry(OTHER, EntryBits.PAGE_SHARED));

        assertThat(d.raw(L1, 9)).isEqualTo(d.entry(OTHER, EntryBits.PAGE_SHARED));
        assertThat(d.counters.emulatedWrites.get()).isEqualTo(1);
        assertThatThrownBy(() -> d.hv.trappedWrite(d.mfn(L1), 9, d.entry(ROOT, EntryBits.PAGE_SHARED)))
                .extracting(RULE).isEqualTo(XenRule.TYPED_FRAME_MAPPED_WRITABLE);
    }

    @Test
    @DisplayName("direct-write-to-read-only-frame: a trapped write to anything but a typed L1 is not emulated")
    void directWriteToReadOnlyFrame() {
        assertThatThrownBy(() -> d.hv.trappedWrite(d.mfn(ROOT), 9, 0))
                .extracting(RULE).isEqualTo(XenRule.DIRECT_WRITE_TO_READ_ONLY_FRAME);
        assertThatThrownBy(() -> d.hv.trappedWrite(d.mfn(40), 0, 0))
                .extracting(RULE).isEqualTo(XenRule.DIRECT_WRITE_TO_READ_ONLY_FRAME);
    }

    @Test
    @DisplayName("a multicall runs every entry in order, each on its own, and reports the one that failed, naming it")
    void multicallRunsEveryEntry() {
        List<Hypercall> batch = List.of(
                new Hypercall.MmuUpdate(d.ptr(L1, 1), d.entry(OTHER, EntryBits.PAGE_SHARED)),
                new Hypercall.MmuUpdate(d.ptr(L1, 2), d.entry(ROOT, EntryBits.PAGE_SHARED)),
                new Hypercall.MmuUpdate(d.ptr(L1, 3), d.entry(OTHER, EntryBits.PAGE_READONLY)));

        assertThatThrownBy(() -> d.hv.multicall(0, batch))
                .isInstanceOf(XenViolation.class)
                .hasMessageContaining("multicall entry 2 of 3")
                .extracting(RULE).isEqualTo(XenRule.TYPED_FRAME_MAPPED_WRITABLE);
        assertThat(d.raw(L1, 1)).isNotZero();
        assertThat(d.raw(L1, 2)).isZero();
        assertThat(d.raw(L1, 3)).as("do_multicall goes on after a failed entry").isNotZero();
        assertThat(d.counters.multicalls.get()).isEqualTo(1);
        assertThat(d.hv.audit()).isEmpty();
    }
}
