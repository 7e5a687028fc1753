package io.pvmm.backend.vmi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.pvmm.api.EntryBits;
import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** allocPdClone copies the source's shadow, exactly the range it names, and never the guest's half. */
class CloneTest {

    private static final long SWAPPER = TestGuest.SWAPPER;
    private static final long ROOT = 0x200;
    private static final long KERNEL_PT = 0x120;

    private final TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL);
    private final VmiOps ops = guest.ops();

    @BeforeEach
    void bootSwapper() {
        ops.allocPd(SWAPPER);
        ops.allocPt(KERNEL_PT);
        ops.setPmd(guest.pa(SWAPPER, 1016), guest.link(KERNEL_PT));
        for (int i = 768; i < 800; i++) {
            ops.setPmd(guest.pa(SWAPPER, i), guest.entry((long) (i - 768) << 10, EntryBits.PAGE_KERNEL_LARGE_EXEC));
        }
    }

    /** pgd_ctor: user half zero, kernel half copied from swapper. */
    private void guestCopiesKernelHalf() {
        for (int i = 768; i < 1024; i++) {
            guest.memory().writeEntry(guest.pa(ROOT, i), guest.memory().readEntry(guest.pa(SWAPPER, i)));
        }
    }

    @Test
    @DisplayName("a clone's shadow is the source's shadow over the cloned range and zero elsewhere")
    void cloneCopiesSourceShadow() {
        guestCopiesKernelHalf();
        ops.allocPdClone(ROOT, SWAPPER, 768, 256);
        Shadow root = ops.pager().shadowOf(ROOT);
        Shadow source = ops.pager().shadowOf(SWAPPER);
        for (int i = 0; i < 1024; i++) {
            assertThat(root.get(i)).as("entry %d", i).isEqualTo(i < 768 ? 0 : source.get(i));
        }
        assertThat(ops.counters()).containsEntry("clones", 1L).containsEntry("clone-entries-copied", 256L);
        assertThat(ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("a clone never reads the guest's kernel half: a corrupted copy shows up in the audit, not in the shadow")
    void cloneNeverReadsGuestKernelHalf() {
        guestCopiesKernelHalf();
        long corrupt = guest.entry(0xC00, EntryBits.PAGE_KERNEL_LARGE_EXEC); // a large page: no link to check
        guest.memory().writeEntry(guest.pa(ROOT, 770), corrupt);
        guest.memory().writeEntry(guest.pa(ROOT, 1016), 0);
        long translatedBefore = ops.counters().get("entries-translated");

        ops.allocPdClone(ROOT, SWAPPER, 768, 256);

        Shadow root = ops.pager().shadowOf(ROOT);
        Shadow source = ops.pager().shadowOf(SWAPPER);
        assertThat(root.get(770)).isEqualTo(source.get(770)).isNotEqualTo(guest.translated(corrupt));
        assertThat(root.get(1016)).isEqualTo(source.get(1016)).isNotZero();
        assertThat(ops.counters().get("entries-translated")).isEqualTo(translatedBefore);
        List<Finding> findings = ops.audit();
        assertThat(findings).extracting(Finding::ruleId).containsOnly(VmiRule.SHADOW_MISMATCH.id());
        // entry 1016, empty in the guest but present in the source, is the vmalloc pmd a clone may race
        // (populated under init_mm's lock, synced lazily): the shadow is ahead of the guest, not wrong
        assertThat(findings).extracting(Finding::pfn, Finding::index)
                .containsExactly(tuple(ROOT, 770));
        assertThat(findings.get(0).expected()).isNotEqualTo(findings.get(0).found());
    }

    @Test
    @DisplayName("a clone copies exactly count entries, from start on")
    void cloneCopiesExactlyCount() {
        guestCopiesKernelHalf();
        ops.allocPdClone(ROOT, SWAPPER, 768, 16);
        Shadow root = ops.pager().shadowOf(ROOT);
        Shadow source = ops.pager().shadowOf(SWAPPER);
        assertThat(root.get(783)).isEqualTo(source.get(783)).isNotZero();
        assertThat(root.get(784)).isZero();
        assertThat(root.get(1016)).isZero();
        assertThat(root.cloneStart()).isEqualTo(768);
        assertThat(root.cloneCount()).isEqualTo(16);
        assertThat(ops.counters()).containsEntry("clone-entries-copied", 16L);
    }

    @Test
    @DisplayName("a kernel entry changed in the source after the clone, but not in the root, is a stale kernel entry")
    void staleKernelEntryAfterRacingChange() {
        guestCopiesKernelHalf();
        ops.allocPdClone(ROOT, SWAPPER, 768, 256);
        // a split table linked by set_pmd_pte into swapper but not into a root cloned outside pgd_lock
        ops.allocPt(KERNEL_PT + 1);
        ops.setPteAtomic(guest.pa(SWAPPER, 771), guest.link(KERNEL_PT + 1));
        List<Finding> findings = ops.audit();
        assertThat(findings).extracting(Finding::ruleId).containsExactly(VmiRule.STALE_KERNEL_ENTRY.id());
        assertThat(findings.get(0).pfn()).isEqualTo(ROOT);
        assertThat(findings.get(0).index()).isEqualTo(771);
    }

    @Test
    @DisplayName("a kernel entry the root lacks (a vmalloc pmd not yet synced) is not stale")
    void absentKernelEntryIsNotStale() {
        guestCopiesKernelHalf();
        ops.allocPdClone(ROOT, SWAPPER, 768, 256);
        ops.allocPt(KERNEL_PT + 2);
        ops.setPmd(guest.pa(SWAPPER, 990), guest.link(KERNEL_PT + 2)); // pmd_populate_kernel in swapper only
        assertThat(ops.audit()).isEmpty();
        ops.setPmd(guest.pa(ROOT, 990), guest.link(KERNEL_PT + 2)); // vmalloc_sync_one
        assertThat(ops.audit()).isEmpty();
    }
}
