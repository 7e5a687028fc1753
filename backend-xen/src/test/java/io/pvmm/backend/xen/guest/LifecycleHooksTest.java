package io.pvmm.backend.xen.guest;

import static io.pvmm.backend.xen.Violations.RULE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtViolation;
import io.pvmm.backend.xen.XenRule;
import io.pvmm.backend.xen.mm.PageType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The five lifecycle hooks and the rules of their bookkeeping, on a 2-level guest. */
class LifecycleHooksTest {

    private final MiniGuest g = new MiniGuest(PagingMode.TWO_LEVEL).boot();

    @Test
    @DisplayName("boot leaves every kernel table read-only, the kernel root pinned and the audit clean")
    void bootState() {
        assertThat(g.directMapWritable(MiniGuest.SWAPPER_PFN)).isFalse();
        assertThat(g.directMapWritable(3)).isFalse(); // the direct map's pte page maps itself read-only
        assertThat(g.directMapWritable(20)).isTrue();
        assertThat(g.hv().isPinned(g.mfn(MiniGuest.SWAPPER_PFN))).isTrue();
        assertThat(g.counter("pins")).isEqualTo(1);
        assertThat(g.counter("typed-frames")).isEqualTo(2);
        assertThat(g.ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("allocPt makes the frame read-only in the direct map; releasePt makes it writable again")
    void allocAndReleaseProtect() {
        long pfn = g.alloc();
        long before = g.counter("update-va-mapping");

        g.ops.allocPt(pfn);
        assertThat(g.directMapWritable(pfn)).isFalse();
        assertThat(g.hv().typeCount(g.mfn(pfn))).isZero(); // the direct map's writable reference is gone

        g.ops.releasePt(pfn);
        assertThat(g.directMapWritable(pfn)).isTrue();
        assertThat(g.hv().pageType(g.mfn(pfn))).isEqualTo(PageType.WRITABLE);
        assertThat(g.hv().typeCount(g.mfn(pfn))).isEqualTo(1);
        assertThat(g.counter("update-va-mapping")).isEqualTo(before + 2);
        assertThat(g.ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("releasePd clears the page, so the next user of the frame gets a clean table")
    void releasePdClears() {
        long root = g.newRoot();
        assertThat(g.memory.readEntry(root + 768 * 4)).isNotZero();

        g.ops.releasePd(root >>> 12);

        assertThat(g.memory.readEntry(root + 768 * 4)).isZero();
        assertThat(g.directMapWritable(root >>> 12)).isTrue();
    }

    @Test
    @DisplayName("announce-of-announced-frame: a frame is announced once until it is released")
    void announceOfAnnouncedFrame() {
        long pfn = g.alloc();
        g.ops.allocPt(pfn);

        assertThatThrownBy(() -> g.ops.allocPt(pfn)).extracting(RULE).isEqualTo(XenRule.ANNOUNCE_OF_ANNOUNCED_FRAME);
        assertThatThrownBy(() -> g.ops.allocPd(pfn)).extracting(RULE).isEqualTo(XenRule.ANNOUNCE_OF_ANNOUNCED_FRAME);
    }

    @Test
    @DisplayName("release-of-unannounced-frame: only an announced table is released, by the hook of its kind")
    void releaseOfUnannouncedFrame() {
        long pfn = g.alloc();
        assertThatThrownBy(() -> g.ops.releasePt(pfn)).extracting(RULE).isEqualTo(XenRule.RELEASE_OF_UNANNOUNCED_FRAME);

        g.ops.allocPt(pfn);
        assertThatThrownBy(() -> g.ops.releasePd(pfn)).extracting(RULE).isEqualTo(XenRule.RELEASE_OF_UNANNOUNCED_FRAME);
        assertThat(g.directMapWritable(pfn)).isFalse();
    }

    @Test
    @DisplayName("release-of-pinned-frame: a pinned root is not released")
    void releaseOfPinnedFrame() {
        long root = g.newRoot();
        g.ops.dupMmap(g.swapper, root);

        assertThatThrownBy(() -> g.ops.releasePd(root >>> 12))
                .isInstanceOf(ParavirtViolation.class)
                .extracting(RULE).isEqualTo(XenRule.RELEASE_OF_PINNED_FRAME);
        assertThat(g.directMapWritable(root >>> 12)).isFalse();
    }

    @Test
    @DisplayName("release-of-typed-frame: a pte page still linked into a pinned tree is not released")
    void releaseOfTypedFrame() {
        long root = g.newRoot();
        long pte = g.ptePage(root, 0x1000_0000L);
        g.ops.dupMmap(g.swapper, root);

        assertThatThrownBy(() -> g.ops.releasePt(pte)).extracting(RULE).isEqualTo(XenRule.RELEASE_OF_TYPED_FRAME);

        g.ops.pmdClear(g.pmdEntry(root, 0x1000_0000L)); // free_pgtables unlinks it first
        g.ops.releasePt(pte);
        assertThat(g.directMapWritable(pte)).isTrue();
    }

    @Test
    @DisplayName("a release in lazy mode issues the queued updates before its checks: an unlink queued just before counts")
    void releaseChecksAfterQueuedUpdates() {
        long root = g.newRoot();
        long pte = g.ptePage(root, 0x1000_0000L);
        g.ops.dupMmap(g.swapper, root);

        g.ops.enterLazyMmu();
        g.ops.pmdClear(g.pmdEntry(root, 0x1000_0000L)); // queued: the pte page's last L1 reference goes with it
        g.ops.releasePt(pte);
        g.ops.leaveLazyMmu();

        assertThat(g.hv().typeCount(g.mfn(pte))).isEqualTo(1); // the direct map's writable reference
        assertThat(g.hv().pageType(g.mfn(pte))).isEqualTo(PageType.WRITABLE);
        assertThat(g.ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("releasePd of a frame already writable still issues the queued updates before it clears the page")
    void releasePdClearsAfterQueuedUpdates() {
        long root = g.newRoot();
        g.ops.dupMmap(g.swapper, root);
        g.ops.exitMmap(root); // early unpin: the root is writable again before its release
        assertThat(g.directMapWritable(root >>> 12)).isTrue();
        long pte = g.alloc();

        g.ops.enterLazyMmu();
        g.ops.setPmd(root + 5 * 4, g.entry(pte, EntryBits.PAGE_TABLE)); // queued mmu_update into the root
        g.ops.releasePd(root >>> 12);
        g.ops.leaveLazyMmu();

        assertThat(g.memory.readEntry(root + 5 * 4)).isZero(); // the clear came after the queued store
        assertThat(g.memory.readEntry(root + 768 * 4)).isZero();
    }

    @Test
    @DisplayName("update-va-mapping-unmapped: after boot, a lowmem frame the direct map does not map cannot be announced")
    void announceOfUnmappedLowmemFrame() {
        long pfn = g.alloc();
        g.ops.pmdClear(g.swapper + 768 * 4); // the direct map's only pte page is unlinked: lowmem is unmapped
        long base = g.mfn(MiniGuest.SWAPPER_PFN);

        assertThatThrownBy(() -> g.ops.allocPt(pfn))
                .isInstanceOf(ParavirtViolation.class)
                .hasMessage(String.format("update-va-mapping-unmapped: update_va_mapping of 0x%08x: no L1 maps it under base"
                        + " mfn 0x%x (frame 0x%x: expected an L1 entry for the address, found none)",
                        0xC0000000L + (pfn << 12), base, MiniGuest.SWAPPER_PFN))
                .satisfies(e -> assertThat(((ParavirtViolation) e).pfn()).isEqualTo(MiniGuest.SWAPPER_PFN))
                .extracting(RULE).isEqualTo(XenRule.UPDATE_VA_MAPPING_UNMAPPED);
        assertThatThrownBy(() -> g.ops.allocPt(pfn)) // nothing was recorded: the same refusal again
                .extracting(RULE).isEqualTo(XenRule.UPDATE_VA_MAPPING_UNMAPPED);
    }

    @Test
    @DisplayName("release-of-free-frame: a table is released before it goes back to the free pool")
    void releaseOfFreeFrame() {
        long pfn = g.alloc();
        g.ops.allocPt(pfn);
        g.free(pfn);

        assertThatThrownBy(() -> g.ops.releasePt(pfn)).extracting(RULE).isEqualTo(XenRule.RELEASE_OF_FREE_FRAME);
    }

    @Test
    @DisplayName("page-table-in-free-pool: the audit finds an announced, read-only frame in the free pool")
    void announcedFrameInFreePool() {
        long pfn = g.alloc();
        g.ops.allocPt(pfn);
        g.free(pfn);

        assertThat(g.ops.audit()).extracting(f -> f.rule()).containsOnly(XenRule.PAGE_TABLE_IN_FREE_POOL).hasSize(2);
    }

    @Test
    @DisplayName("at boot, a pte that maps a frame announced as a page table is stored read-only")
    void bootMasksAnnouncedFrames() {
        MiniGuest fresh = new MiniGuest(PagingMode.TWO_LEVEL);
        fresh.ops.pagetableSetupStart(fresh.swapper);
        fresh.ops.allocPd(MiniGuest.SWAPPER_PFN);
        fresh.ops.allocPt(3);
        fresh.ops.setPmd(fresh.swapper + 768 * 4, fresh.entry(3, EntryBits.PAGE_TABLE));
        fresh.ops.setPte(3L << 12, fresh.entry(0, EntryBits.PAGE_KERNEL_EXEC));
        fresh.ops.setPte((3L << 12) + 4, fresh.entry(1, EntryBits.PAGE_KERNEL_EXEC));
        fresh.ops.setPte((3L << 12) + 12, fresh.entry(3, EntryBits.PAGE_KERNEL_EXEC));

        assertThat(EntryBits.isWritable(fresh.memory.readEntry(3L << 12))).isTrue();
        assertThat(EntryBits.isWritable(fresh.memory.readEntry((3L << 12) + 4))).isFalse();
        assertThat(EntryBits.isWritable(fresh.memory.readEntry((3L << 12) + 12))).isFalse();
    }
}
