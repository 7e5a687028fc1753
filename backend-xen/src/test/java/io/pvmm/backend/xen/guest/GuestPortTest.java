package io.pvmm.backend.xen.guest;

import static io.pvmm.backend.xen.Violations.RULE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtViolation;
import io.pvmm.backend.xen.XenRule;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The guest port as the first pv-ops port behaved on the real hypervisor: plain stores where
 * {@code xen_set_pte} makes them, {@code update_va_mapping} by address, queued updates that wait for
 * their batch, and multicalls that run every entry.
 */
class GuestPortTest {

    private static final long VA = 0x0804_8000L;

    @Test
    @DisplayName("direct-write-to-read-only-frame: a plain store to an entry of a pinned root faults, Xen emulates L1 writes only")
    void storeToPinnedRootFaults() {
        MiniGuest g = new MiniGuest(PagingMode.TWO_LEVEL).boot();
        long root = g.newRoot();
        g.ops.dupMmap(g.swapper, root);
        long pte = g.alloc();
        g.ops.allocPt(pte);
        long link = g.entry(pte, EntryBits.PAGE_TABLE);

        assertThatThrownBy(() -> g.ops.setPte(g.pmdEntry(root, VA), link)) // set_pte where set_pmd belongs
                .isInstanceOf(ParavirtViolation.class)
                .hasMessageContaining("not a typed L1")
                .extracting(RULE).isEqualTo(XenRule.DIRECT_WRITE_TO_READ_ONLY_FRAME);
        assertThat(g.memory.readEntry(g.pmdEntry(root, VA))).isZero();

        g.ops.setPmd(g.pmdEntry(root, VA), link); // the hypercall the guest owes
        assertThat(g.memory.readEntry(g.pmdEntry(root, VA))).isEqualTo(link);
        assertThat(g.ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("direct-write-to-read-only-frame: in PAE mode a plain store to a pinned pmd or to a pinned root faults")
    void storeToPinnedPaeDirectoryFaults() {
        MiniGuest g = new MiniGuest(PagingMode.PAE).boot();
        long root = g.newRoot();
        g.ops.dupMmap(g.swapper, root);
        long pte = g.alloc();
        g.ops.allocPt(pte);
        long pmdEntry = g.pmdEntry(root, VA);
        long before = g.memory.readEntry(root);

        assertThatThrownBy(() -> g.ops.setPte(pmdEntry, g.entry(pte, EntryBits.PAGE_TABLE)))
                .extracting(RULE).isEqualTo(XenRule.DIRECT_WRITE_TO_READ_ONLY_FRAME);
        assertThatThrownBy(() -> g.ops.setPte(root, 0))
                .extracting(RULE).isEqualTo(XenRule.DIRECT_WRITE_TO_READ_ONLY_FRAME);
        assertThat(g.memory.readEntry(pmdEntry)).isZero();
        assertThat(g.memory.readEntry(root)).isEqualTo(before);
    }

    @Test
    @DisplayName("a pte store to a table outside every pinned tree is an mmu_update, whatever Xen's frame state")
    void storeOutsidePinnedTreesIsMmuUpdate() {
        MiniGuest g = new MiniGuest(PagingMode.TWO_LEVEL).boot();
        long child = g.newRoot();
        long pte = g.ptePage(child, VA);
        long updates = g.counter("mmu-update-entries");
        long emulated = g.counter("emulated-writes");

        g.ops.setPte(g.ptePa(child, VA), g.entry(300, EntryBits.PAGE_READONLY));

        assertThat(g.counter("mmu-update-entries")).isEqualTo(updates + 1);
        assertThat(g.counter("emulated-writes")).isEqualTo(emulated);
        assertThat(g.mapped(child, VA)).isEqualTo(300);
        assertThat(g.directMapWritable(pte)).isFalse();
    }

    @Test
    @DisplayName("setPteAt on the current address space writes the pte its address maps, as the hardware would, whatever ptep says")
    void setPteAtWritesWhereTheAddressSays() {
        MiniGuest g = new MiniGuest(PagingMode.TWO_LEVEL).boot();
        long root = g.newRoot();
        g.ptePage(root, VA);
        g.ops.activateMm(g.swapper, root);
        g.ops.writeCr3(root);

        g.ops.setPteAt(root, VA, g.ptePa(root, VA + 4096), g.entry(300, EntryBits.PAGE_READONLY)); // ptep of the next page

        assertThat(g.mapped(root, VA)).isEqualTo(300);
        assertThat(g.mapped(root, VA + 4096)).isEqualTo(-1);
        assertThat(g.ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("setPteAt falls back to a plain store when Xen refuses the update_va_mapping outside lazy mode")
    void setPteAtFallsBackToPlainStore() {
        MiniGuest g = new MiniGuest(PagingMode.TWO_LEVEL).boot();
        long root = g.newRoot();
        g.ptePage(root, VA);
        long other = g.newRoot();
        g.ptePage(other, 0x4000_0000L);
        g.ops.activateMm(g.swapper, root);
        g.ops.dupMmap(g.swapper, other);
        g.ops.writeCr3(root);
        long emulated = g.counter("emulated-writes");

        // the address maps nothing under the loaded root; the pte is in another pinned tree
        g.ops.setPteAt(root, 0x4000_0000L, g.ptePa(other, 0x4000_0000L), g.entry(301, EntryBits.PAGE_READONLY));

        assertThat(g.mapped(other, 0x4000_0000L)).isEqualTo(301);
        assertThat(g.counter("emulated-writes")).isEqualTo(emulated + 1);
    }

    @Test
    @DisplayName("queued updates stay queued across a trapped write and a plain store, until lazy mode ends")
    void queuedUpdatesWaitAcrossStores() {
        MiniGuest g = new MiniGuest(PagingMode.TWO_LEVEL, 1, Map.of()).boot();
        long parent = g.newRoot();
        g.ptePage(parent, VA);
        g.map(parent, VA, 400, EntryBits.PAGE_SHARED);
        g.ops.dupMmap(g.swapper, parent);
        g.ops.writeCr3(parent);
        long parentPte = g.ptePa(parent, VA);
        long plain = g.alloc(); // a writable frame the guest stores to
        long multicalls = g.counter("multicalls");

        g.ops.enterLazyMmu();
        g.map(parent, VA + 4096, 401, EntryBits.PAGE_READONLY); // update_va_mapping: queued
        g.ops.writeFault(parentPte, g.memory.readEntry(parentPte) & ~EntryBits.RW); // trapped, emulated at once
        g.ops.setPte(plain << 12, 0x1234); // a plain store
        assertThat(g.counter("multicalls")).as("nothing issued yet").isEqualTo(multicalls);
        assertThat(g.mapped(parent, VA + 4096)).as("the queued update has not happened").isEqualTo(-1);
        assertThat(g.ops.entryValue(g.memory.readEntry(parentPte)) & EntryBits.RW).as("the trapped write has").isZero();
        assertThat(g.memory.readEntry(plain << 12)).isEqualTo(0x1234);
        g.ops.leaveLazyMmu();

        assertThat(g.counter("multicalls")).isEqualTo(multicalls + 1);
        assertThat(g.mapped(parent, VA + 4096)).isEqualTo(401);
    }

    @Test
    @DisplayName("a multicall runs every entry and reports each one that failed, as do_multicall does")
    void multicallRunsEveryEntry() {
        MiniGuest g = new MiniGuest(PagingMode.TWO_LEVEL).boot();
        long child = g.newRoot();
        g.ptePage(child, VA);
        g.ops.dupMmap(g.swapper, child);
        g.ops.writeCr3(child);

        g.ops.enterLazyMmu();
        g.map(child, VA, child >>> 12, EntryBits.PAGE_SHARED); // the root, writable: refused
        g.map(child, VA + 4096, 300, EntryBits.PAGE_READONLY); // fine
        g.map(child, VA + 8192, child >>> 12, EntryBits.PAGE_SHARED); // refused again

        assertThatThrownBy(() -> g.ops.leaveLazyMmu())
                .isInstanceOfSatisfying(ParavirtViolation.class, v -> {
                    assertThat(v.ruleId()).isEqualTo(XenRule.TYPED_FRAME_MAPPED_WRITABLE.id());
                    assertThat(v.getMessage()).contains("2 of 3 multicall entries failed").contains("multicall entry 1 of 3");
                    assertThat(v.getSuppressed()).hasSize(1);
                    assertThat(v.getSuppressed()[0].getMessage()).contains("multicall entry 3 of 3");
                });
        assertThat(g.mapped(child, VA + 4096)).as("the entry after the failure ran").isEqualTo(300);
        assertThat(g.mapped(child, VA)).isEqualTo(-1);
        assertThat(g.mapped(child, VA + 8192)).isEqualTo(-1);
    }
}
