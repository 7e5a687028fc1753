package io.pvmm.backend.xen.mm;

import java.util.BitSet;
import java.util.function.LongConsumer;

/**
 * Xen's {@code frame_table}, the part this model needs: per machine frame, the {@code type_info}
 * word in Xen 3.3's layout — the type in bits 29-31, {@code PGT_pinned} (28), {@code PGT_validated}
 * (27), {@code PGT_pae_xen_l2} (26) and a 26-bit type count below. Xen 3.1 has the same type and
 * flag bits but a 16-bit type count, so the model's count overflows later than 3.1's would. General
 * reference counts ({@code count_info}) and ownership are not modelled: every frame below {@link MachineMemory#frames()}
 * belongs to the one domain.
 *
 * <p>Keeps the {@code typed-frames} counters and the set of frames with a non-zero type count, so
 * audits cost time in proportion to the frames in use.
 *
 * <p><b>Threading:</b> not thread-safe; the {@link Hypervisor}'s domain lock guards it.
 */
final class FrameTable {

    static final int TYPE_SHIFT = 29;
    static final int PGT_PINNED = 1 << 28;
    static final int PGT_VALIDATED = 1 << 27;
    static final int PGT_PAE_XEN_L2 = 1 << 26;
    static final int PGT_COUNT_MASK = (1 << 26) - 1;

    private final int[] typeInfo;
    private final BitSet referenced = new BitSet();
    private final XenCounters counters;

    FrameTable(long frames, XenCounters counters) {
        this.typeInfo = new int[Math.toIntExact(frames)];
        this.counters = counters;
    }

    int word(long mfn) {
        return typeInfo[(int) mfn];
    }

    /** Stores a frame's word, keeping the referenced set and the typed-frame counters. */
    void set(long mfn, int word) {
        int old = typeInfo[(int) mfn];
        typeInfo[(int) mfn] = word;
        boolean wasRef = countOf(old) > 0;
        boolean isRef = countOf(word) > 0;
        if (wasRef != isRef) {
            referenced.set((int) mfn, isRef);
        }
        boolean wasTyped = wasRef && typeOf(old).isPageTable();
        boolean isTyped = isRef && typeOf(word).isPageTable();
        if (!wasTyped && isTyped) {
            counters.typedFrameAdded();
        } else if (wasTyped && !isTyped) {
            counters.typedFrameRemoved();
        }
    }

    PageType type(long mfn) {
        return typeOf(word(mfn));
    }

    int count(long mfn) {
        return countOf(word(mfn));
    }

    boolean pinned(long mfn) {
        return (word(mfn) & PGT_PINNED) != 0;
    }

    boolean validated(long mfn) {
        return (word(mfn) & PGT_VALIDATED) != 0;
    }

    boolean paeXenL2(long mfn) {
        return (word(mfn) & PGT_PAE_XEN_L2) != 0;
    }

    /**
     * The next frame whose type count is above zero.
     *
     * @param from the first frame to look at
     * @return that frame, or -1 if there is none from {@code from} on
     */
    int nextReferenced(int from) {
        return referenced.nextSetBit(from);
    }

    /** Calls {@code action} with every frame whose type count is above zero, in frame order. */
    void forEachReferenced(LongConsumer action) {
        for (int i = referenced.nextSetBit(0); i >= 0; i = referenced.nextSetBit(i + 1)) {
            action.accept(i);
        }
    }

    static PageType typeOf(int word) {
        return PageType.ofBits(word >>> TYPE_SHIFT);
    }

    static int countOf(int word) {
        return word & PGT_COUNT_MASK;
    }

    static boolean paeXenL2Of(int word) {
        return (word & PGT_PAE_XEN_L2) != 0;
    }

    static boolean validatedOf(int word) {
        return (word & PGT_VALIDATED) != 0;
    }

    static int compose(PageType type, boolean paeXenL2, boolean validated, int count) {
        return (type.bits() << TYPE_SHIFT) | (paeXenL2 ? PGT_PAE_XEN_L2 : 0) | (validated ? PGT_VALIDATED : 0) | count;
    }

    /** @return e.g. {@code L2 (pae-xen-l2) count 3 pinned} */
    static String describe(int word) {
        StringBuilder sb = new StringBuilder(typeOf(word).name());
        if (paeXenL2Of(word)) {
            sb.append(" (pae-xen-l2)");
        }
        sb.append(" count ").append(countOf(word));
        if ((word & PGT_PINNED) != 0) {
            sb.append(" pinned");
        }
        return sb.toString();
    }
}
