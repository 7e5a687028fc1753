package io.pvmm.backend.xen.mm;

import static io.pvmm.backend.xen.Violations.RULE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.backend.xen.XenRule;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Table validation as a pin and an unpin drive it: each entry's checks, the words they use, and the undo of a failed pin. */
class TableValidationTest {

    @Test
    @DisplayName("a pin checks every L1 entry's bits: GLOBAL is refused and named")
    void l1EntryBitsOnPin() {
        Domain d = new Domain(PagingMode.TWO_LEVEL);
        d.put(10, 0, 11, EntryBits.PAGE_TABLE);
        d.put(11, 2, 20, EntryBits.PAGE_READONLY | EntryBits.GLOBAL);
        assertThatThrownBy(() -> d.mmuext(MmuextCmd.PIN_L2_TABLE, 10))
                .hasMessageContaining("disallowed-entry-bits")
                .hasMessageContaining("entry 2 of L1 mfn 0x" + Long.toHexString(d.mfn(11)))
                .hasMessageContaining("(GLOBAL)")
                .extracting(RULE).isEqualTo(XenRule.PIN_VALIDATION_FAILED);
    }

    @Test
    @DisplayName("disallowed bits are named one by one: PSE, GLOBAL, both")
    void bitNames() {
        Domain d = new Domain(PagingMode.TWO_LEVEL);
        d.put(10, 3, 64, EntryBits.PAGE_KERNEL_LARGE_EXEC);
        assertThatThrownBy(() -> d.mmuext(MmuextCmd.PIN_L2_TABLE, 10)).hasMessageContaining("(PSE)");
        Domain both = new Domain(PagingMode.TWO_LEVEL);
        both.put(10, 3, 64, EntryBits.PAGE_KERNEL_LARGE_EXEC | EntryBits.GLOBAL);
        assertThatThrownBy(() -> both.mmuext(MmuextCmd.PIN_L2_TABLE, 10)).hasMessageContaining("(PSE GLOBAL)");
    }

    @Test
    @DisplayName("a pin whose root links a frame mapped writable elsewhere fails on that entry, saying the frame is mapped writable")
    void linkOfAWritableFrame() {
        Domain d = new Domain(PagingMode.TWO_LEVEL);
        d.put(30, 0, 11, EntryBits.PAGE_TABLE);
        d.put(31, 0, 12, EntryBits.PAGE_SHARED); // 12 mapped writable by the L1 31
        d.put(30, 1, 31, EntryBits.PAGE_TABLE);
        d.mmuext(MmuextCmd.PIN_L2_TABLE, 30);
        assertThat(d.type(12)).isEqualTo(PageType.WRITABLE);

        d.put(10, 4, 12, EntryBits.PAGE_TABLE);
        assertThatThrownBy(() -> d.mmuext(MmuextCmd.PIN_L2_TABLE, 10))
                .hasMessageContaining("page-table-type-conflict")
                .hasMessageContaining("entry 4 of mfn 0x" + Long.toHexString(d.mfn(10)) + " links mfn 0x" + Long.toHexString(d.mfn(12))
                        + " as L1, but the frame is mapped writable");
    }

    @Test
    @DisplayName("a pin that fails on a later entry gives back every reference the earlier entries took, the first slot's included")
    void failedPinUndoesItsReferences() {
        Domain d = new Domain(PagingMode.TWO_LEVEL);
        d.put(10, 0, 11, EntryBits.PAGE_TABLE);
        d.put(11, 0, 20, EntryBits.PAGE_SHARED);
        d.put(10, 1, 12, EntryBits.PAGE_TABLE);
        d.put(10, 5, 64, EntryBits.PAGE_KERNEL_LARGE_EXEC);
        String before = d.snapshot();
        assertThatThrownBy(() -> d.mmuext(MmuextCmd.PIN_L2_TABLE, 10)).extracting(RULE).isEqualTo(XenRule.PIN_VALIDATION_FAILED);
        assertThat(d.count(11)).as("slot 0's L1").isZero();
        assertThat(d.count(12)).as("slot 1's L1").isZero();
        assertThat(d.count(20)).as("the page slot 0's L1 maps writable").isZero();
        assertThat(d.snapshot()).isEqualTo(before);
    }

    @Test
    @DisplayName("unpinning a PAE root gives back the references of its every slot, the kernel pmd's in slot 3 included")
    void paeUnpin() {
        Domain d = new Domain(PagingMode.PAE);
        d.put(10, 0, 11, EntryBits.PRESENT);
        d.put(10, 3, 12, EntryBits.PRESENT);
        d.put(11, 0, 13, EntryBits.PAGE_TABLE);
        d.mmuext(MmuextCmd.PIN_L3_TABLE, 10);
        assertThat(d.count(12)).isEqualTo(1);
        d.mmuext(MmuextCmd.UNPIN_TABLE, 10);
        assertThat(d.count(10)).isZero();
        assertThat(d.count(11)).isZero();
        assertThat(d.count(12)).isZero();
        assertThat(d.count(13)).isZero();
        assertThat(d.type(12)).as("a type outlives its last reference, as Xen's does").isEqualTo(PageType.L2);
    }
}
