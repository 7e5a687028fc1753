package io.pvmm.backend.xen.mm;

import static io.pvmm.backend.xen.Violations.RULE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.backend.xen.XenRule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The type-count state machine on its own, with validation stubbed out. */
class TypeReferencesTest {

    private static final long MFN = 5;

    private final XenCounters counters = new XenCounters();
    private final FrameTable frames = new FrameTable(16, counters);
    private final TypeReferences types = new TypeReferences(frames, mfn -> mfn);
    private final List<String> calls = new ArrayList<>();
    private boolean failValidation;

    TypeReferencesTest() {
        types.setTables(new TypeReferences.Tables() {
            @Override
            public void allocPageType(long mfn, PageType type, boolean paeXenL2) {
                calls.add("alloc " + mfn + " " + type);
                if (failValidation) {
                    throw new XenViolation(XenRule.DISALLOWED_ENTRY_BITS, mfn, "stub failure", "x", "y");
                }
            }

            @Override
            public void freePageType(long mfn, PageType type, boolean paeXenL2) {
                calls.add("free " + mfn + " " + type);
            }
        });
    }

    @Test
    @DisplayName("the first reference to a page-table type validates the table, later ones do not")
    void firstReferenceValidates() {
        types.getPageType(MFN, PageType.L1, false);
        types.getPageType(MFN, PageType.L1, false);

        assertThat(calls).containsExactly("alloc 5 L1");
        assertThat(frames.type(MFN)).isEqualTo(PageType.L1);
        assertThat(frames.count(MFN)).isEqualTo(2);
        assertThat(frames.validated(MFN)).isTrue();
    }

    @Test
    @DisplayName("the last reference invalidates the table and drops its entries' references; the type stays")
    void lastReferenceInvalidates() {
        types.getPageType(MFN, PageType.L2, false);
        types.getPageType(MFN, PageType.L2, false);
        types.putPageType(MFN);
        assertThat(calls).containsExactly("alloc 5 L2");

        types.putPageType(MFN);

        assertThat(calls).containsExactly("alloc 5 L2", "free 5 L2");
        assertThat(frames.count(MFN)).isZero();
        assertThat(frames.type(MFN)).isEqualTo(PageType.L2);
        assertThat(frames.validated(MFN)).isFalse();
    }

    @Test
    @DisplayName("a table whose count fell to 0 is validated again on its next reference")
    void revalidatesAfterZero() {
        types.getPageType(MFN, PageType.L1, false);
        types.putPageType(MFN);
        types.getPageType(MFN, PageType.L1, false);

        assertThat(calls).containsExactly("alloc 5 L1", "free 5 L1", "alloc 5 L1");
    }

    @Test
    @DisplayName("a frame with references cannot be mapped writable while it is a page table")
    void typeChangesOnlyAtZeroWritable() {
        types.getPageType(MFN, PageType.L1, false);

        assertThatThrownBy(() -> types.getPageType(MFN, PageType.WRITABLE, false))
                .isInstanceOf(XenViolation.class)
                .extracting(RULE).isEqualTo(XenRule.TYPED_FRAME_MAPPED_WRITABLE);
        assertThat(frames.count(MFN)).isEqualTo(1);
    }

    @Test
    @DisplayName("a writable frame with references cannot become a page table; at count 0 it can")
    void typeChangesOnlyAtZeroTable() {
        types.getPageType(MFN, PageType.WRITABLE, false);

        assertThatThrownBy(() -> types.getPageType(MFN, PageType.L1, false))
                .isInstanceOf(XenViolation.class)
                .extracting(RULE).isEqualTo(XenRule.PAGE_TABLE_TYPE_CONFLICT);

        types.putPageType(MFN);
        types.getPageType(MFN, PageType.L1, false);
        assertThat(frames.type(MFN)).isEqualTo(PageType.L1);
        assertThat(calls).containsExactly("alloc 5 L1");
    }

    @Test
    @DisplayName("writable pages need no validation and are never invalidated")
    void writableNeedsNoValidation() {
        types.getPageType(MFN, PageType.WRITABLE, false);
        types.putPageType(MFN);

        assertThat(calls).isEmpty();
        assertThat(frames.type(MFN)).isEqualTo(PageType.WRITABLE);
        assertThat(frames.validated(MFN)).isTrue();
    }

    @Test
    @DisplayName("a table of one level cannot be referenced as another, and the pae-xen-l2 flag is part of the type")
    void levelsAndPaeFlagConflict() {
        types.getPageType(MFN, PageType.L2, true);

        assertThatThrownBy(() -> types.getPageType(MFN, PageType.L2, false))
                .extracting(RULE).isEqualTo(XenRule.PAGE_TABLE_TYPE_CONFLICT);
        assertThatThrownBy(() -> types.getPageType(MFN, PageType.L1, false))
                .extracting(RULE).isEqualTo(XenRule.PAGE_TABLE_TYPE_CONFLICT);
        assertThat(frames.paeXenL2(MFN)).isTrue();
    }

    @Test
    @DisplayName("a failed validation leaves the frame as it was")
    void failedValidationChangesNothing() {
        types.getPageType(MFN, PageType.WRITABLE, false);
        types.putPageType(MFN);
        int before = frames.word(MFN);
        failValidation = true;

        assertThatThrownBy(() -> types.getPageType(MFN, PageType.L1, false))
                .extracting(RULE).isEqualTo(XenRule.DISALLOWED_ENTRY_BITS);

        assertThat(frames.word(MFN)).isEqualTo(before);
        assertThat(frames.type(MFN)).isEqualTo(PageType.WRITABLE);
        assertThat(counters.typedFrames.get()).isZero();
    }

    @Test
    @DisplayName("a failed validation also restores the frames it typed on the way")
    void failedValidationRestoresTouchedFrames() {
        types.setTables(new TypeReferences.Tables() {
            @Override
            public void allocPageType(long mfn, PageType type, boolean paeXenL2) {
                types.getPageType(7, PageType.WRITABLE, false); // an entry took a reference ...
                types.putPageType(7); // ... and the undo dropped it
                throw new XenViolation(XenRule.DISALLOWED_ENTRY_BITS, mfn, "stub failure", "x", "y");
            }

            @Override
            public void freePageType(long mfn, PageType type, boolean paeXenL2) {
            }
        });

        assertThatThrownBy(() -> types.getPageType(MFN, PageType.L1, false)).isInstanceOf(XenViolation.class);

        assertThat(frames.type(7)).isEqualTo(PageType.NONE);
        assertThat(frames.type(MFN)).isEqualTo(PageType.NONE);
    }

    @Test
    @DisplayName("dropping a reference nobody holds is a backend error, not the guest's")
    void putWithoutReference() {
        assertThatThrownBy(() -> types.putPageType(MFN)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("typed-frames counts page tables with references, and the peak stays")
    void typedFrameCounters() {
        types.getPageType(1, PageType.L1, false);
        types.getPageType(2, PageType.L2, false);
        types.getPageType(3, PageType.WRITABLE, false);
        assertThat(counters.typedFrames.get()).isEqualTo(2);

        types.putPageType(1);
        types.putPageType(2);

        assertThat(counters.typedFrames.get()).isZero();
        assertThat(counters.typedFramesPeak.get()).isEqualTo(2);
    }
}
