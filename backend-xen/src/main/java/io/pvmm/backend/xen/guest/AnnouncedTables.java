package io.pvmm.backend.xen.guest;

import io.pvmm.backend.xen.XenRule;
import io.pvmm.backend.xen.mm.XenViolation;
import java.util.BitSet;
import java.util.function.LongConsumer;

/**
 * The frames the guest has announced as page tables and not released, by kind: the guest port's
 * bookkeeping of the lifecycle hooks (what {@code PG_pinned} and the port's own checks give Linux).
 * An announcement of an announced frame, and a release of a frame not announced as that kind, are
 * violations.
 *
 * <p>Two bitmaps indexed by guest frame: announced, and announced as a page directory. A lookup is a
 * bit test; {@link #forEach} finds the announced frames in order, one word per 64 frames.
 *
 * <p><b>Threading:</b> callers hold the domain lock.
 */
final class AnnouncedTables {

    /** What a frame was announced as. */
    enum Kind {
        /** {@code alloc_pt}: a pte page. */
        PT,
        /** {@code alloc_pd} or {@code alloc_pd_clone}: a page directory. */
        PD
    }

    private final BitSet announced = new BitSet();
    private final BitSet pd = new BitSet();

    /** @return what the frame is announced as, or null */
    private Kind kindOf(long pfn) {
        if (pfn < 0 || pfn > Integer.MAX_VALUE) {
            return null; // never announced: announce refuses such a frame
        }
        int i = (int) pfn;
        return !announced.get(i) ? null : pd.get(i) ? Kind.PD : Kind.PT;
    }

    /**
     * Checks that a frame may be announced.
     *
     * @param pfn  the frame
     * @param kind what it becomes
     * @throws XenViolation {@code announce-of-announced-frame}
     */
    void checkAnnounce(long pfn, Kind kind) {
        Kind was = kindOf(pfn);
        if (was != null) {
            throw new XenViolation(XenRule.ANNOUNCE_OF_ANNOUNCED_FRAME, pfn,
                    String.format("frame 0x%x announced as %s while still announced as %s (released never, or freed without release)",
                            pfn, kind, was), "a frame not announced", "announced as " + was);
        }
    }

    void announce(long pfn, Kind kind) {
        int i = index(pfn);
        announced.set(i);
        pd.set(i, kind == Kind.PD);
    }

    /**
     * Checks that a frame may be released by the hook of a kind.
     *
     * @param pfn  the frame
     * @param kind the hook's kind
     * @throws XenViolation {@code release-of-unannounced-frame}
     */
    void checkRelease(long pfn, Kind kind) {
        Kind was = kindOf(pfn);
        if (was != kind) {
            throw new XenViolation(XenRule.RELEASE_OF_UNANNOUNCED_FRAME, pfn,
                    String.format("release of frame 0x%x as %s", pfn, kind), "announced as " + kind,
                    was == null ? "not announced" : "announced as " + was);
        }
    }

    void release(long pfn) {
        int i = index(pfn);
        announced.clear(i);
        pd.clear(i);
    }

    /** @return whether the frame is announced, as either kind */
    boolean isAnnounced(long pfn) {
        return kindOf(pfn) != null;
    }

    /** Calls {@code action} with every announced frame, in increasing order. */
    void forEach(LongConsumer action) {
        for (int i = announced.nextSetBit(0); i >= 0; i = announced.nextSetBit(i + 1)) {
            action.accept(i);
        }
    }

    private static int index(long pfn) {
        if (pfn < 0 || pfn > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("frame out of range: " + pfn);
        }
        return (int) pfn;
    }
}
