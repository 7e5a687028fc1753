package io.pvmm.backend.xen.guest;

import io.pvmm.backend.xen.XenRule;
import io.pvmm.backend.xen.mm.XenViolation;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The frames the guest has announced as page tables and not released, by kind: the guest port's
 * bookkeeping of the lifecycle hooks (what {@code PG_pinned} and the port's own checks give Linux).
 * An announcement of an announced frame, and a release of a frame not announced as that kind, are
 * violations.
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

    private final Map<Long, Kind> announced = new HashMap<>();

    /**
     * Checks that a frame may be announced.
     *
     * @param pfn  the frame
     * @param kind what it becomes
     * @throws XenViolation {@code announce-of-announced-frame}
     */
    void checkAnnounce(long pfn, Kind kind) {
        Kind was = announced.get(pfn);
        if (was != null) {
            throw new XenViolation(XenRule.ANNOUNCE_OF_ANNOUNCED_FRAME, pfn,
                    String.format("frame 0x%x announced as %s while still announced as %s (released never, or freed without release)",
                            pfn, kind, was), "a frame not announced", "announced as " + was);
        }
    }

    void announce(long pfn, Kind kind) {
        announced.put(pfn, kind);
    }

    /**
     * Checks that a frame may be released by the hook of a kind.
     *
     * @param pfn  the frame
     * @param kind the hook's kind
     * @throws XenViolation {@code release-of-unannounced-frame}
     */
    void checkRelease(long pfn, Kind kind) {
        Kind was = announced.get(pfn);
        if (was != kind) {
            throw new XenViolation(XenRule.RELEASE_OF_UNANNOUNCED_FRAME, pfn,
                    String.format("release of frame 0x%x as %s", pfn, kind), "announced as " + kind,
                    was == null ? "not announced" : "announced as " + was);
        }
    }

    void release(long pfn) {
        announced.remove(pfn);
    }

    boolean contains(long pfn) {
        return announced.containsKey(pfn);
    }

    void forEach(LongConsumer action) {
        announced.keySet().stream().sorted().forEach(action::accept);
    }
}
