package org.example.pvmm.checking;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the checking backend knows from the calls it received: which frames are announced page tables
 * and at which level, which pmd frames serve user space (PAE), and which user pmd entries link which
 * pte page. Safe for concurrent vCPUs: the guest orders calls on one entry with its locks, and each map
 * here is concurrent.
 */
final class Frames {

    /** The level a frame was announced at. */
    enum Level {
        /** A pte page: {@code allocPt}. */
        PT,
        /** A page directory: {@code allocPd} or {@code allocPdClone}. */
        PD
    }

    private final PagingMode mode;
    private final Map<Long, Level> announced = new ConcurrentHashMap<>();
    private final Set<Long> userPmds = ConcurrentHashMap.newKeySet();
    private final Map<Long, Long> userLinks = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> linksTo = new ConcurrentHashMap<>();

    Frames(PagingMode mode) {
        this.mode = mode;
    }

    /** @return whether the frame was newly announced (false if it already was) */
    boolean announce(long pfn, Level level) {
        return announced.putIfAbsent(pfn, level) == null;
    }

    /** @return the level the frame is announced at, or null */
    Level levelOf(long pfn) {
        return announced.get(pfn);
    }

    /** Forgets a released frame. */
    void release(long pfn) {
        announced.remove(pfn);
        userPmds.remove(pfn);
        linksTo.remove(pfn);
    }

    /** @return the announced frames and their levels */
    Map<Long, Level> announced() {
        return announced;
    }

    /** @return whether a write to this entry writes a page directory (a pmd entry, or a 2-level root entry) */
    boolean isDirectoryEntry(long entryPa) {
        return announced.get(entryPa >>> PagingMode.PAGE_SHIFT) == Level.PD;
    }

    /** @return whether a directory entry maps user space */
    boolean isUserEntry(long entryPa) {
        if (mode == PagingMode.TWO_LEVEL) {
            return (entryPa & (PagingMode.PAGE_SIZE - 1)) / mode.entryBytes() < mode.userPtrsPerPgd();
        }
        return userPmds.contains(entryPa >>> PagingMode.PAGE_SHIFT);
    }

    /** A PAE root entry was written: a pmd linked from a user slot serves user space. */
    void rootEntryWritten(long entryPa, long value) {
        int slot = (int) ((entryPa >>> 3) & 3);
        if (slot < mode.userPtrsPerPgd() && EntryBits.isPresent(value)) {
            userPmds.add(mode.entryPfn(value));
        }
    }

    /** A directory entry now holds {@code value}: keep count of the user links to each pte page. */
    void directoryEntryWritten(long entryPa, long value) {
        if (!isUserEntry(entryPa)) {
            return;
        }
        Long old = EntryBits.isPresent(value) && !EntryBits.isLarge(value)
                ? userLinks.put(entryPa, mode.entryPfn(value)) : userLinks.remove(entryPa);
        if (old != null) {
            AtomicInteger n = linksTo.get(old);
            if (n != null) {
                n.decrementAndGet();
            }
        }
        if (EntryBits.isPresent(value) && !EntryBits.isLarge(value)) {
            linksTo.computeIfAbsent(mode.entryPfn(value), k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** @return how many user pmd entries link the pte page */
    int userLinksTo(long pfn) {
        AtomicInteger n = linksTo.get(pfn);
        return n == null ? 0 : n.get();
    }
}
