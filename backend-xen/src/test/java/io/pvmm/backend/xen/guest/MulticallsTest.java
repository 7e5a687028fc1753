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
 * Lazy MMU mode and the multicall buffer: fork's copy into a child that is not pinned yet, whose pte
 * stores are {@code mmu_update}s.
 */
class MulticallsTest {

    private static final long VA = 0x0804_8000L;

    private MiniGuest g;
    private long child;

    private void childWithPtePage(Map<String, String> settings) {
        g = new MiniGuest(PagingMode.TWO_LEVEL, 1, settings).boot();
        child = g.newRoot();
        g.ptePage(child, VA);
    }

    private void copy(int ptes) {
        for (int i = 0; i < ptes; i++) {
            g.map(child, VA + i * 4096L, 300 + i, EntryBits.PAGE_READONLY);
        }
    }

    @Test
    @DisplayName("in lazy mode the updates wait in the buffer and go as one multicall when lazy mode is left")
    void lazyModeBatches() {
        childWithPtePage(Map.of());
        long hypercalls = g.counter("hypercalls");

        g.ops.enterLazyMmu();
        copy(10);
        assertThat(g.counter("hypercalls")).isEqualTo(hypercalls);
        assertThat(g.memory.readEntry(g.ptePa(child, VA))).isZero(); // the stores may wait
        g.ops.leaveLazyMmu();

        assertThat(g.counter("hypercalls")).isEqualTo(hypercalls + 1);
        assertThat(g.counter("multicalls")).isEqualTo(1);
        for (int i = 0; i < 10; i++) {
            assertThat(g.mapped(child, VA + i * 4096L)).isEqualTo(300 + i);
        }
    }

    @Test
    @DisplayName("a full buffer of 32 entries is issued at once")
    void fullBufferIsIssued() {
        childWithPtePage(Map.of());

        g.ops.enterLazyMmu();
        copy(33);
        assertThat(g.counter("multicalls")).isEqualTo(1);
        g.ops.leaveLazyMmu();

        assertThat(g.counter("multicalls")).isEqualTo(2);
        assertThat(g.counter("mmu-update-entries")).isGreaterThanOrEqualTo(33);
    }

    @Test
    @DisplayName("with lazy-batching off every update is its own hypercall")
    void batchingOff() {
        childWithPtePage(Map.of("lazy-batching", "false"));
        long hypercalls = g.counter("hypercalls");

        g.ops.enterLazyMmu();
        copy(10);
        g.ops.leaveLazyMmu();

        assertThat(g.counter("hypercalls")).isEqualTo(hypercalls + 10);
        assertThat(g.counter("multicalls")).isZero();
    }

    @Test
    @DisplayName("a direct hypercall issues the pending batch first, so order is kept")
    void directHypercallFlushesFirst() {
        childWithPtePage(Map.of());
        g.ops.enterLazyMmu();
        g.map(child, VA, 300, EntryBits.PAGE_READONLY);
        g.ops.setPmd(child + 1008 * 4, 0); // queued too: not pinned, so not checked as a table's

        g.ops.flushTlbUser();

        assertThat(g.counter("multicalls")).isEqualTo(1);
        assertThat(g.mapped(child, VA)).isEqualTo(300);
        g.ops.leaveLazyMmu();
    }

    @Test
    @DisplayName("fork's write-protect of a pinned parent's pte traps and is emulated at once, while the child's queued updates keep waiting")
    void trappedWriteLeavesChildUpdatesWaiting() {
        childWithPtePage(Map.of());
        long parent = g.newRoot();
        g.ptePage(parent, VA);
        g.map(parent, VA, 400, EntryBits.PAGE_SHARED);
        g.ops.dupMmap(g.swapper, parent); // pinned: its pte page is a typed L1
        long parentPte = g.ptePa(parent, VA);
        long multicalls = g.counter("multicalls");
        long emulated = g.counter("emulated-writes");

        g.ops.enterLazyMmu();
        g.map(child, VA, 400, EntryBits.PAGE_READONLY);
        assertThat(g.ops.writeFault(parentPte, g.memory.readEntry(parentPte) & ~EntryBits.RW)).isTrue();
        assertThat(g.counter("emulated-writes")).isEqualTo(emulated + 1);
        assertThat(g.counter("multicalls")).as("the child's update still waits").isEqualTo(multicalls);
        assertThat(g.mapped(child, VA)).isEqualTo(-1);
        g.map(child, VA + 4096, 401, EntryBits.PAGE_READONLY);
        g.ops.leaveLazyMmu();

        assertThat(g.counter("multicalls")).as("one batch for both child updates").isEqualTo(multicalls + 1);
        assertThat(g.mapped(child, VA)).isEqualTo(400);
        assertThat(g.mapped(child, VA + 4096)).isEqualTo(401);
        assertThat(g.ops.entryValue(g.memory.readEntry(parentPte)) & EntryBits.RW).as("parent write-protected").isZero();
    }

    @Test
    @DisplayName("a trapped write leaves waiting a batch of updates to the current tree too: only a flush or leaving lazy mode issues it")
    void trappedWriteLeavesEveryBatchWaiting() {
        childWithPtePage(Map.of());
        long parent = g.newRoot();
        g.ptePage(parent, VA);
        g.map(parent, VA, 400, EntryBits.PAGE_SHARED);
        g.ops.dupMmap(g.swapper, parent);
        g.ops.writeCr3(parent);
        long parentPte = g.ptePa(parent, VA);
        long multicalls = g.counter("multicalls");

        g.ops.enterLazyMmu();
        g.map(parent, VA + 4096, 401, EntryBits.PAGE_READONLY); // update_va_mapping on the current tree: queued
        g.ops.writeFault(parentPte, g.memory.readEntry(parentPte) & ~EntryBits.RW);
        assertThat(g.counter("multicalls")).as("still queued after the trapped write").isEqualTo(multicalls);
        assertThat(g.mapped(parent, VA + 4096)).isEqualTo(-1);
        g.ops.leaveLazyMmu();
        assertThat(g.counter("multicalls")).isEqualTo(multicalls + 1);
        assertThat(g.mapped(parent, VA + 4096)).isEqualTo(401);
    }

    @Test
    @DisplayName("a queued update that Xen refuses is a violation when the batch is issued, naming the entry")
    void failingEntryIsAViolation() {
        childWithPtePage(Map.of());
        g.ops.dupMmap(g.swapper, child);
        g.ops.writeCr3(child);

        g.ops.enterLazyMmu();
        g.map(child, VA, 300, EntryBits.PAGE_READONLY);
        g.map(child, VA + 4096, child >>> 12, EntryBits.PAGE_SHARED); // the root, writable

        assertThatThrownBy(() -> g.ops.leaveLazyMmu())
                .hasMessageContaining("multicall entry 2 of 2")
                .extracting(RULE).isEqualTo(XenRule.TYPED_FRAME_MAPPED_WRITABLE);
        assertThat(g.mapped(child, VA)).isEqualTo(300);
    }

    @Test
    @DisplayName("lazy-mode-nested: lazy MMU mode is never entered twice")
    void lazyModeNested() {
        childWithPtePage(Map.of());
        g.ops.enterLazyMmu();

        assertThatThrownBy(() -> g.ops.enterLazyMmu())
                .satisfies(t -> assertThat(((ParavirtViolation) t).pfn()).isEqualTo(-1)) // about a vCPU, not a frame
                .extracting(RULE).isEqualTo(XenRule.LAZY_MODE_NESTED);
    }

    @Test
    @DisplayName("lazy-mode-unpaired: lazy MMU mode is left only after it was entered")
    void lazyModeUnpaired() {
        childWithPtePage(Map.of());

        assertThatThrownBy(() -> g.ops.leaveLazyMmu()).extracting(RULE).isEqualTo(XenRule.LAZY_MODE_UNPAIRED);
    }

    @Test
    @DisplayName("lazy mode is per vCPU: one vCPU's batch does not hold up another's updates")
    void perVcpu() {
        g = new MiniGuest(PagingMode.TWO_LEVEL, 2, Map.of()).boot();
        child = g.newRoot();
        g.ptePage(child, VA);
        g.ops.enterLazyMmu();
        g.map(child, VA, 300, EntryBits.PAGE_READONLY);

        g.context.runAs(1);
        g.map(child, VA + 4096, 301, EntryBits.PAGE_READONLY);
        assertThat(g.mapped(child, VA + 4096)).isEqualTo(301);
        assertThat(g.memory.readEntry(g.ptePa(child, VA))).isZero();

        g.context.runAs(0);
        g.ops.leaveLazyMmu();
        assertThat(g.mapped(child, VA)).isEqualTo(300);
    }
}
