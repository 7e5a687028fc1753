package io.pvmm.backend.vmi;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The shadow hierarchy: for every guest frame, how many entries of live shadow page directories link
 * it (present, not a large page), counted from the shadows' own machine entries through the
 * {@link P2m}'s inverse. A shadow pager's L2 shadow points at the shadows of the L1s it links, so an
 * L1 whose shadow is dropped while linked leaves dangling shadow entries.
 *
 * <p>{@code __change_page_attr} releases a split pte page before {@code revert_page} rewrites the pmd
 * of every root that links it, so a release of a linked L1 is only noted here ({@link #released}); the
 * note goes when the last link does. A frame still noted at the next quiescent point ({@link
 * #stillLinked}, for the audit) or when it is announced again ({@link #isStillLinked}) breaks
 * {@code release-of-linked-table}.
 *
 * <p><b>Threading:</b> counts are atomic; the {@link ShadowPager} adjusts them under the lock of the
 * shadow whose entry changes.
 */
final class ShadowLinks {

    private final PagingMode mode;
    private final P2m p2m;
    private final AtomicIntegerArray links;
    private final Set<Long> releasedLinked = ConcurrentHashMap.newKeySet();

    ShadowLinks(PagingMode mode, P2m p2m, long frames) {
        this.mode = mode;
        this.p2m = p2m;
        this.links = new AtomicIntegerArray(Math.toIntExact(frames));
    }

    /**
     * An entry of a page directory's shadow changes from {@code old} to {@code now} (machine entries).
     *
     * @param old the shadow entry it held
     * @param now the shadow entry it holds
     */
    void changed(long old, long now) {
        if (old == now) {
            return;
        }
        long from = target(old);
        long to = target(now);
        if (to >= 0) {
            links.incrementAndGet((int) to);
        }
        if (from >= 0 && links.decrementAndGet((int) from) == 0) {
            releasedLinked.remove(from);
        }
    }

    /**
     * A page directory's shadow is dropped: every link it held goes.
     *
     * @param s the shadow, of an L2
     */
    void dropped(Shadow s) {
        for (int i = 0; i < s.size(); i++) {
            changed(s.get(i), 0);
        }
    }

    /**
     * How many live shadow entries link a frame.
     *
     * @param pfn a guest frame
     * @return the count
     */
    int linksTo(long pfn) {
        return pfn < 0 || pfn >= links.length() ? 0 : links.get((int) pfn);
    }

    /**
     * A pte page is released: if shadow entries still link it, it is noted until they are gone.
     *
     * @param pfn the frame released
     */
    void released(long pfn) {
        if (linksTo(pfn) > 0) {
            releasedLinked.add(pfn);
            if (linksTo(pfn) == 0) {
                releasedLinked.remove(pfn); // the last link went meanwhile
            }
        }
    }

    /**
     * Whether a frame was released while linked and is linked still.
     *
     * @param pfn a guest frame
     * @return whether announcing it now breaks {@code release-of-linked-table}
     */
    boolean isStillLinked(long pfn) {
        return releasedLinked.contains(pfn) && linksTo(pfn) > 0;
    }

    /** @return the frames released while linked that are linked still, in frame order */
    long[] stillLinked() {
        return releasedLinked.stream().filter(p -> linksTo(p) > 0).mapToLong(Long::longValue).sorted().toArray();
    }

    /** @return the guest frame a shadow entry links, or -1 for an entry that links no table */
    private long target(long machineEntry) {
        if (!EntryBits.isPresent(machineEntry) || EntryBits.isLarge(machineEntry)) {
            return -1;
        }
        long pfn = p2m.pfn((machineEntry & mode.frameMask()) >>> PagingMode.PAGE_SHIFT);
        return pfn >= 0 && pfn < links.length() ? pfn : -1;
    }
}
