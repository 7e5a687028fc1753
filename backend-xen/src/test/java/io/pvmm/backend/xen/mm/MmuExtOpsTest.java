package io.pvmm.backend.xen.mm;

import static io.pvmm.backend.xen.Violations.RULE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.backend.xen.XenRule;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Pinning, unpinning and base pointers, with the validation rules a pin enforces. */
class MmuExtOpsTest {

    @Nested
    @DisplayName("2-level")
    class TwoLevel {

        private final Domain d = new Domain(PagingMode.TWO_LEVEL);

        private void tree() {
            d.put(10, 0, 11, EntryBits.PAGE_TABLE);
            d.put(11, 0, 20, EntryBits.PAGE_SHARED);
        }

        @Test
        @DisplayName("pin-validation-failed: a tree with an entry that maps a page table writable cannot be pinned, and nothing changes")
        void pinValidationFailed() {
            tree();
            d.put(11, 1, 10, EntryBits.PAGE_SHARED); // the L1 maps the root writable
            String before = d.snapshot();

            assertThatThrownBy(() -> d.mmuext(MmuextCmd.PIN_L2_TABLE, 10))
                    .isInstanceOf(XenViolation.class)
                    .hasMessageContaining("typed-frame-mapped-writable")
                    .hasMessageContaining("entry 1 of mfn 0x" + Long.toHexString(d.mfn(11)))
                    .extracting(RULE).isEqualTo(XenRule.PIN_VALIDATION_FAILED);
            assertThat(d.snapshot()).isEqualTo(before);
            assertThat(d.counters.typedFrames.get()).isZero();
            assertThat(d.counters.pins.get()).isZero();
        }

        @Test
        @DisplayName("pin-validation-failed: a PSE entry in the root fails the pin")
        void pinValidationFailedPse() {
            d.put(10, 3, 64, EntryBits.PAGE_KERNEL_LARGE_EXEC);

            assertThatThrownBy(() -> d.mmuext(MmuextCmd.PIN_L2_TABLE, 10))
                    .hasMessageContaining("disallowed-entry-bits")
                    .extracting(RULE).isEqualTo(XenRule.PIN_VALIDATION_FAILED);
        }

        @Test
        @DisplayName("pin-validation-failed: a root still mapped writable cannot be pinned")
        void pinOfWritableRoot() {
            tree();
            d.put(12, 0, 10, EntryBits.PAGE_SHARED); // some L1 maps the root writable ...
            d.put(13, 0, 12, EntryBits.PAGE_TABLE);
            d.mmuext(MmuextCmd.PIN_L2_TABLE, 13); // ... and is validated

            assertThatThrownBy(() -> d.mmuext(MmuextCmd.PIN_L2_TABLE, 10))
                    .hasMessageContaining("page-table-type-conflict")
                    .extracting(RULE).isEqualTo(XenRule.PIN_VALIDATION_FAILED);
        }

        @Test
        @DisplayName("pin-of-pinned-frame: a frame is pinned once, and the failed pin leaves its count alone")
        void pinOfPinnedFrame() {
            tree();
            d.mmuext(MmuextCmd.PIN_L2_TABLE, 10);

            assertThatThrownBy(() -> d.mmuext(MmuextCmd.PIN_L2_TABLE, 10))
                    .extracting(RULE).isEqualTo(XenRule.PIN_OF_PINNED_FRAME);
            assertThat(d.count(10)).isEqualTo(1);
        }

        @Test
        @DisplayName("unpin-of-unpinned-frame: only a pinned frame is unpinned")
        void unpinOfUnpinnedFrame() {
            tree();

            assertThatThrownBy(() -> d.mmuext(MmuextCmd.UNPIN_TABLE, 10))
                    .extracting(RULE).isEqualTo(XenRule.UNPIN_OF_UNPINNED_FRAME);
        }

        @Test
        @DisplayName("unpin drops the pin's reference, and with it every reference the tree held")
        void unpinReleasesTree() {
            tree();
            d.mmuext(MmuextCmd.PIN_L2_TABLE, 10);
            d.mmuext(MmuextCmd.UNPIN_TABLE, 10);

            assertThat(d.count(10)).isZero();
            assertThat(d.count(11)).isZero();
            assertThat(d.count(20)).isZero();
            assertThat(d.type(10)).isEqualTo(PageType.L2);
            assertThat(d.counters.typedFrames.get()).isZero();
            assertThat(d.counters.typedFramesPeak.get()).isEqualTo(2);
            assertThat(d.counters.unpins.get()).isEqualTo(1);
        }

        @Test
        @DisplayName("MMUEXT_PIN_L3_TABLE on a 2-level hypervisor is ignored and reported done")
        void pinBeyondPagingLevelsIgnored() {
            tree();
            d.mmuext(MmuextCmd.PIN_L3_TABLE, 10);

            assertThat(d.pinned(10)).isFalse();
            assertThat(d.count(10)).isZero();
            assertThat(d.counters.mmuextOps.get()).isEqualTo(1);
        }

        @Test
        @DisplayName("a new base takes a root reference and the old base's is dropped")
        void newBaseptr() {
            tree();
            d.put(30, 0, 31, EntryBits.PAGE_TABLE);
            d.newBase(1, 10);
            assertThat(d.count(10)).isEqualTo(1);
            assertThat(d.hv.base(1)).isEqualTo(d.mfn(10));

            d.newBase(1, 30);

            assertThat(d.count(10)).isZero();
            assertThat(d.count(30)).isEqualTo(1);
            assertThat(d.type(31)).isEqualTo(PageType.L1);
            assertThat(d.hv.audit()).isEmpty();
        }
    }

    @Nested
    @DisplayName("PAE")
    class Pae {

        private final Domain d = new Domain(PagingMode.PAE);

        /** A root {@code root} with user pmd {@code root+1} and kernel pmd {@code kpmd} in slot 3. */
        private void root(long root, long kpmd) {
            d.put(root, 0, root + 1, EntryBits.PRESENT);
            d.put(root, 3, kpmd, EntryBits.PRESENT);
        }

        @Test
        @DisplayName("PIN_L3 types the root L3, slot 3's pmd L2 pae-xen-l2 and the others L2")
        void pinTypesPaeRoot() {
            root(10, 12);
            d.put(11, 0, 13, EntryBits.PAGE_TABLE);
            d.mmuext(MmuextCmd.PIN_L3_TABLE, 10);

            assertThat(d.type(10)).isEqualTo(PageType.L3);
            assertThat(d.type(11)).isEqualTo(PageType.L2);
            assertThat(d.type(12)).isEqualTo(PageType.L2);
            assertThat(d.type(13)).isEqualTo(PageType.L1);
            assertThat(d.hv.audit()).isEmpty();
        }

        @Test
        @DisplayName("shared-pae-kernel-pmd: a second root whose slot 3 holds the same pmd cannot be pinned")
        void sharedPaeKernelPmd() {
            root(10, 12);
            root(20, 12);
            d.mmuext(MmuextCmd.PIN_L3_TABLE, 10);
            String before = d.snapshot();

            assertThatThrownBy(() -> d.mmuext(MmuextCmd.PIN_L3_TABLE, 20))
                    .hasMessageContaining("PAE L3 3rd slot is shared")
                    .extracting(RULE).isEqualTo(XenRule.SHARED_PAE_KERNEL_PMD);
            assertThat(d.snapshot()).isEqualTo(before);
        }

        @Test
        @DisplayName("pin-validation-failed: a PAE root without a pmd in slot 3, or with bits beyond PRESENT, does not validate")
        void paeRootRules() {
            d.put(10, 0, 11, EntryBits.PRESENT);
            assertThatThrownBy(() -> d.mmuext(MmuextCmd.PIN_L3_TABLE, 10))
                    .hasMessageContaining("slot 3")
                    .extracting(RULE).isEqualTo(XenRule.PIN_VALIDATION_FAILED);

            root(20, 22);
            d.put(20, 1, 23, EntryBits.PRESENT | EntryBits.RW);
            assertThatThrownBy(() -> d.mmuext(MmuextCmd.PIN_L3_TABLE, 20))
                    .hasMessageContaining("disallowed-entry-bits")
                    .extracting(RULE).isEqualTo(XenRule.PIN_VALIDATION_FAILED);
        }

        @Test
        @DisplayName("pin-validation-failed: a PAE root at or above 4 GiB is refused unless the guest enabled extended CR3")
        void paeRootAbove4GiB() {
            Domain big = new Domain(PagingMode.PAE, TableValidation.PAE_ROOT_MFN_LIMIT + 64);
            long high = big.machine.m2p(TableValidation.PAE_ROOT_MFN_LIMIT); // the first frame at 4 GiB
            long low = big.machine.m2p(TableValidation.PAE_ROOT_MFN_LIMIT - 1); // the last frame below it
            long[] pmds = otherFrames(big, high, low);
            big.put(high, 0, pmds[0], EntryBits.PRESENT);
            big.put(high, 3, pmds[1], EntryBits.PRESENT);
            big.put(low, 0, pmds[2], EntryBits.PRESENT);
            big.put(low, 3, pmds[3], EntryBits.PRESENT);

            assertThatThrownBy(() -> big.mmuext(MmuextCmd.PIN_L3_TABLE, high))
                    .hasMessageContaining("PAE pgd must be below 4GB")
                    .extracting(RULE).isEqualTo(XenRule.PIN_VALIDATION_FAILED);
            assertThatThrownBy(() -> big.newBase(0, high))
                    .extracting(RULE).isEqualTo(XenRule.PIN_VALIDATION_FAILED);
            assertThat(big.count(high)).isZero();
            assertThat(big.count(pmds[0])).isZero();
            assertThat(big.count(pmds[1])).isZero();
            assertThat(big.counters.pins.get()).isZero();

            big.mmuext(MmuextCmd.PIN_L3_TABLE, low); // mfn 0xfffff: the last frame below 4 GiB
            assertThat(big.pinned(low)).isTrue();

            big.hv.enablePaeExtendedCr3();
            big.mmuext(MmuextCmd.PIN_L3_TABLE, high);
            assertThat(big.pinned(high)).isTrue();
            assertThat(big.type(high)).isEqualTo(PageType.L3);
            assertThat(big.hv.audit()).isEmpty();
        }

        /** Four frames other than {@code a} and {@code b}, from the first ones. */
        private long[] otherFrames(Domain big, long a, long b) {
            long[] out = new long[4];
            int n = 0;
            for (long pfn = 10; n < out.length; pfn++) {
                if (pfn != a && pfn != b) {
                    out[n++] = pfn;
                }
            }
            return out;
        }

        @Test
        @DisplayName("disallowed-entry-bits: PAE entries may carry NX but no bit above the frame mask")
        void highBits() {
            root(10, 12);
            d.put(11, 0, 13, EntryBits.PAGE_TABLE);
            d.mmuext(MmuextCmd.PIN_L3_TABLE, 10);

            d.mmuUpdate(13, 0, d.entry(40, EntryBits.PAGE_KERNEL)); // NX is fine
            assertThatThrownBy(() -> d.mmuUpdate(13, 1, d.entry(40, EntryBits.PAGE_KERNEL) | (1L << 40)))
                    .extracting(RULE).isEqualTo(XenRule.DISALLOWED_ENTRY_BITS);
        }

        @Test
        @DisplayName("xen-private-slot-update: slot 3 of a PAE root and the kernel pmd's slots from 428 (0xF5800000) up are Xen's")
        void xenPrivateSlotUpdate() {
            root(10, 12);
            d.mmuext(MmuextCmd.PIN_L3_TABLE, 10);

            assertThatThrownBy(() -> d.mmuUpdate(10, 3, d.entry(14, EntryBits.PRESENT)))
                    .extracting(RULE).isEqualTo(XenRule.XEN_PRIVATE_SLOT_UPDATE);
            assertThatThrownBy(() -> d.mmuUpdate(12, 428, d.entry(15, EntryBits.PAGE_TABLE)))
                    .extracting(RULE).isEqualTo(XenRule.XEN_PRIVATE_SLOT_UPDATE);
            d.mmuUpdate(12, 427, d.entry(15, EntryBits.PAGE_TABLE));
            d.mmuUpdate(11, 511, d.entry(16, EntryBits.PAGE_TABLE)); // a user pmd has no Xen slots
            assertThat(d.hv.audit()).isEmpty();
        }

        @Test
        @DisplayName("a PAE root's user slots can be relinked with mmu_update, moving the L2 references")
        void relinkUserPmd() {
            root(10, 12);
            d.mmuext(MmuextCmd.PIN_L3_TABLE, 10);

            d.mmuUpdate(10, 1, d.entry(17, EntryBits.PRESENT));

            assertThat(d.type(17)).isEqualTo(PageType.L2);
            assertThat(d.count(17)).isEqualTo(1);
            assertThat(d.hv.audit()).isEmpty();
        }
    }
}
