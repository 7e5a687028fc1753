package io.pvmm.backend.xen.mm;

import io.pvmm.backend.xen.XenRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongUnaryOperator;

/**
 * Taking and dropping type references: the state machine {@code xen/arch/x86/mm.c} runs on each
 * frame's {@code page_info.type_info} word ({@link FrameTable}), {@code get_page_type} and
 * {@code put_page_type} (Xen 3.1; research notes §4.2, §4.3).
 *
 * <ul>
 *   <li>A frame's type changes only while its type count is 0; the validated bit goes with the old
 *       type, and a writable page needs no validation.</li>
 *   <li>Asking for another type while the count is above 0 fails ("Bad type").</li>
 *   <li>The first reference to a page-table type validates the table ({@code alloc_page_type}); if
 *       validation fails the frame is left exactly as it was — and so is every frame the validation
 *       touched: Xen would leave their type fields changed at count 0, the model restores them, so a
 *       refused call leaves no trace at all.</li>
 *   <li>When the last reference to a validated page table goes, the table is invalidated and the
 *       references its entries held are dropped ({@code free_page_type}); the type field is kept.</li>
 * </ul>
 *
 * <p><b>Threading:</b> not thread-safe; the {@link Hypervisor}'s domain lock guards it.
 */
final class TypeReferences {

    /** What validation and invalidation of a table mean: {@code alloc_page_type} and {@code free_page_type}. */
    interface Tables {
        /**
         * Validates a table that just took its first reference of {@code type}, taking the references
         * its entries need; on failure every reference taken is dropped again.
         *
         * @throws XenViolation naming the offending entry
         */
        void allocPageType(long mfn, PageType type, boolean paeXenL2);

        /** Drops the references a validated table's entries hold. */
        void freePageType(long mfn, PageType type, boolean paeXenL2);
    }

    private final FrameTable frames;
    private final LongUnaryOperator pfnForReport;
    private final List<long[]> journal = new ArrayList<>();
    private int validating;
    private Tables tables;

    TypeReferences(FrameTable frames, LongUnaryOperator pfnForReport) {
        this.frames = frames;
        this.pfnForReport = pfnForReport;
    }

    void setTables(Tables tables) {
        this.tables = Objects.requireNonNull(tables, "tables");
    }

    /**
     * {@code get_page_type(page, type)}: one more reference of {@code type} to a frame.
     *
     * @param mfn      the frame
     * @param type     the type wanted
     * @param paeXenL2 for {@link PageType#L2}: whether it is the slot-3 pmd of a PAE root
     * @throws XenViolation if the frame holds another type with references, or fails validation
     */
    void getPageType(long mfn, PageType type, boolean paeXenL2) {
        int x = frames.word(mfn);
        int count = FrameTable.countOf(x);
        if (count == FrameTable.PGT_COUNT_MASK) {
            throw new IllegalStateException("type count overflow on mfn 0x" + Long.toHexString(mfn));
        }
        boolean sameType = FrameTable.typeOf(x) == type && FrameTable.paeXenL2Of(x) == paeXenL2;
        int nx = x;
        if (count == 0) {
            if (!sameType) {
                /* Type changed: the validated bit goes with the old type; writable pages need no validation. */
                nx = FrameTable.compose(type, paeXenL2, !type.isPageTable(), 0);
                if (validating > 0) {
                    journal.add(new long[] {mfn, x});
                }
            }
        } else if (!sameType) {
            throw badType(mfn, x, type, paeXenL2);
        } else if (!FrameTable.validatedOf(x)) {
            throw new IllegalStateException("mfn 0x" + Long.toHexString(mfn) + " referenced but not validated");
        }
        nx += 1;
        frames.set(mfn, nx);
        if (!FrameTable.validatedOf(nx)) {
            validating++;
            try {
                tables.allocPageType(mfn, type, paeXenL2);
            } catch (RuntimeException e) {
                frames.set(mfn, x); // nobody else can hold a reference: we held the only one
                if (validating == 1) {
                    restoreTypeFields();
                }
                throw e;
            } finally {
                if (--validating == 0) {
                    journal.clear();
                }
            }
            frames.set(mfn, frames.word(mfn) | FrameTable.PGT_VALIDATED);
        }
    }

    /** After a failed validation: frames whose type changed on the way, now unreferenced again, get their old word back. */
    private void restoreTypeFields() {
        for (int i = journal.size() - 1; i >= 0; i--) {
            long[] change = journal.get(i);
            if (frames.count(change[0]) == 0) {
                frames.set(change[0], (int) change[1]);
            }
        }
    }

    /**
     * {@code put_page_type(page)}: drops one type reference; the last one of a validated page table
     * invalidates it and drops the references its entries held.
     *
     * @param mfn the frame
     * @throws IllegalStateException if the frame holds no type reference (a backend bug, not the guest's)
     */
    void putPageType(long mfn) {
        int x = frames.word(mfn);
        int count = FrameTable.countOf(x);
        if (count == 0) {
            throw new IllegalStateException("put_page_type on mfn 0x" + Long.toHexString(mfn) + " with no type reference");
        }
        PageType type = FrameTable.typeOf(x);
        if (count == 1 && type.isPageTable() && FrameTable.validatedOf(x)) {
            /* Page-table pages must be unvalidated when count is zero; the type field is kept. */
            frames.set(mfn, (x - 1) & ~FrameTable.PGT_VALIDATED);
            tables.freePageType(mfn, type, FrameTable.paeXenL2Of(x));
        } else {
            frames.set(mfn, x - 1);
        }
    }

    private XenViolation badType(long mfn, int x, PageType wanted, boolean paeXenL2) {
        String want = wanted.name() + (paeXenL2 ? " (pae-xen-l2)" : "");
        String saw = FrameTable.describe(x);
        long pfn = pfnForReport.applyAsLong(mfn);
        if (wanted == PageType.WRITABLE) {
            return new XenViolation(XenRule.TYPED_FRAME_MAPPED_WRITABLE, pfn,
                    String.format("frame mfn 0x%x is a page table and cannot be mapped writable (Bad type: saw %s != exp %s)",
                            mfn, saw, want), "type count 0 or type WRITABLE", saw);
        }
        return new XenViolation(XenRule.PAGE_TABLE_TYPE_CONFLICT, pfn,
                String.format("frame mfn 0x%x cannot take type %s while it holds %s (Bad type)", mfn, want, saw),
                "type count 0 or type " + want, saw);
    }
}
