package io.pvmm.backend.xen.guest;

import static io.pvmm.backend.xen.Violations.RULE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.backend.xen.XenRule;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * How each page-table write reaches Xen, on a 2-level guest whose vCPU 0 runs a pinned address space
 * {@code root} with a pte page for {@link #VA}.
 */
class PageTableWritesTest {

    private static final long VA = 0x0804_8000L;

    private final MiniGuest g = new MiniGuest(PagingMode.TWO_LEVEL).boot();
    private long root;
    private long pte;

    @BeforeEach
    void currentAddressSpace() {
        root = g.newRoot();
        pte = g.ptePage(root, VA);
        g.ops.activateMm(g.swapper, root);
        g.ops.writeCr3(root);
    }

    @Test
    @DisplayName("setPteAt on the current address space is an update_va_mapping")
    void setPteAtCurrentIsUpdateVaMapping() {
        long uva = g.counter("update-va-mapping");
        long emulated = g.counter("emulated-writes");

        g.map(root, VA, 100, EntryBits.PAGE_SHARED);

        assertThat(g.mapped(root, VA)).isEqualTo(100);
        assertThat(g.counter("update-va-mapping")).isEqualTo(uva + 1);
        assertThat(g.counter("emulated-writes")).isEqualTo(emulated);
        assertThat(g.ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("setPteAt on another, pinned address space is a trapped write Xen emulates")
    void setPteAtOtherPinnedIsEmulated() {
        long other = g.newRoot();
        g.ptePage(other, VA);
        g.ops.dupMmap(root, other);
        long emulated = g.counter("emulated-writes");

        g.map(other, VA, 101, EntryBits.PAGE_SHARED);

        assertThat(g.mapped(other, VA)).isEqualTo(101);
        assertThat(g.counter("emulated-writes")).isEqualTo(emulated + 1);
        assertThat(g.ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("a pte store to an announced table that is not pinned yet (fork's child) is an mmu_update")
    void storeToUnpinnedTableIsMmuUpdate() {
        long child = g.newRoot();
        g.ptePage(child, VA);
        long updates = g.counter("mmu-update-entries");

        g.map(child, VA, 102, EntryBits.PAGE_READONLY);

        assertThat(g.mapped(child, VA)).isEqualTo(102);
        assertThat(g.counter("mmu-update-entries")).isEqualTo(updates + 1);
    }

    @Test
    @DisplayName("setPte on a writable frame is a plain store, with no hypercall")
    void storeToWritableFrameIsPlain() {
        long frame = g.alloc();
        long hypercalls = g.counter("hypercalls");

        g.ops.setPte(frame << 12, 0x1234_5000L);

        assertThat(g.memory.readEntry(frame << 12)).isEqualTo(0x1234_5000L);
        assertThat(g.counter("hypercalls")).isEqualTo(hypercalls);
    }

    @Test
    @DisplayName("typed-frame-mapped-writable: a user pte may not map a page table writable")
    void typedFrameMappedWritable() {
        assertThatThrownBy(() -> g.map(root, VA, pte, EntryBits.PAGE_SHARED))
                .extracting(RULE).isEqualTo(XenRule.TYPED_FRAME_MAPPED_WRITABLE);
        assertThat(g.mapped(root, VA)).isEqualTo(-1);

        g.map(root, VA, pte, EntryBits.PAGE_READONLY);
        assertThat(g.mapped(root, VA)).isEqualTo(pte);
    }

    @Test
    @DisplayName("page-table-type-conflict: setPmd may not link a frame that is still mapped writable")
    void linkingWritableFrame() {
        long frame = g.alloc(); // never announced: the direct map still maps it writable

        assertThatThrownBy(() -> g.ops.setPmd(g.pmdEntry(root, 0x2000_0000L), g.entry(frame, EntryBits.PAGE_TABLE)))
                .extracting(RULE).isEqualTo(XenRule.PAGE_TABLE_TYPE_CONFLICT);
    }

    @Test
    @DisplayName("disallowed-entry-bits: a PSE pmd is refused in a pinned root")
    void disallowedEntryBits() {
        assertThatThrownBy(() -> g.ops.setPmd(g.pmdEntry(root, 0x2000_0000L), g.entry(0x400, EntryBits.PAGE_KERNEL_LARGE_EXEC)))
                .extracting(RULE).isEqualTo(XenRule.DISALLOWED_ENTRY_BITS);
    }

    @Test
    @DisplayName("xen-private-slot-update: a root's slot 1008 (0xFC000000) belongs to Xen")
    void xenPrivateSlotUpdate() {
        assertThatThrownBy(() -> g.ops.setPmd(root + 1008 * 4, 0))
                .extracting(RULE).isEqualTo(XenRule.XEN_PRIVATE_SLOT_UPDATE);
    }

    @Test
    @DisplayName("a hook-less store to a typed L1 (fork's write-protect) is emulated")
    void writeFaultOnTypedL1IsEmulated() {
        g.map(root, VA, 100, EntryBits.PAGE_SHARED);
        long ptePa = g.ptePa(root, VA);
        long raw = g.memory.readEntry(ptePa);

        assertThat(g.ops.writeFault(ptePa, raw & ~EntryBits.RW)).isTrue();

        assertThat(EntryBits.isWritable(g.memory.readEntry(ptePa))).isFalse();
        assertThat(g.hv().typeCount(g.mfn(100))).isEqualTo(1); // only the direct map's writable reference remains
        assertThat(g.ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("direct-write-to-read-only-frame: a hook-less store to a root is not emulated")
    void directWriteToReadOnlyFrame() {
        assertThatThrownBy(() -> g.ops.writeFault(root + 4, 0))
                .extracting(RULE).isEqualTo(XenRule.DIRECT_WRITE_TO_READ_ONLY_FRAME);
    }

    @Test
    @DisplayName("pteUpdate is a no-op: Xen checked the entry when it was written")
    void pteUpdateIsNoOp() {
        long hypercalls = g.counter("hypercalls");
        g.ops.pteUpdate(root, VA, g.ptePa(root, VA));
        assertThat(g.counter("hypercalls")).isEqualTo(hypercalls);
    }
}
