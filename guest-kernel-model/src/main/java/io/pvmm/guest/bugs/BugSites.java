package io.pvmm.guest.bugs;

import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which guest bugs a guest commits, asked at each bug's one site: {@code lib/fault-inject.c}'s role
 * for {@link GuestBug}s, as {@link io.pvmm.guest.memory.AllocFailures} is for the page allocator. A
 * kernel function holds one line per bug, a predicate in the manner of {@code should_failslab}:
 *
 * <pre>{@code
 * if (bugs.commits(GuestBug.LEAK_PGD)) return;                       // the bug leaves a step out
 * if (bugs.commits(GuestBug.CLONE_OUTSIDE_LOCK)) { Variants.cloneOutsideLock(...); return; } // or does it otherwise
 * }</pre>
 *
 * The policy (which bugs are on) is here; the buggy variants of the steps are in {@link Variants};
 * the kernel function keeps its correct body.
 *
 * <p>A bug that is on counts each hit of its site and records where the site is (the calling class
 * and method), so a test can hold each bug to exactly one site that its workload reaches. A bug that
 * is off costs its site one array read and touches no shared state. Thread-safe.
 */
public final class BugSites {

    /** A guest that commits no bug. */
    public static final BugSites NONE = new BugSites(Set.of());

    private static final StackWalker WALKER = StackWalker.getInstance();

    static {
        site(); // the walker's first walk loads its machinery: here, not at a site in the middle of a run
    }

    private final boolean[] on = new boolean[GuestBug.values().length];
    private final AtomicLongArray hits = new AtomicLongArray(GuestBug.values().length);
    private final Map<GuestBug, Set<String>> sites = new EnumMap<>(GuestBug.class);

    /**
     * A guest committing these bugs.
     *
     * @param bugs the bugs switched on
     */
    public BugSites(Collection<GuestBug> bugs) {
        bugs.forEach(b -> on[b.ordinal()] = true);
    }

    /**
     * The site of {@code bug}: whether the guest commits it here. When it does, the hit is counted and
     * the calling method recorded as the bug's site.
     *
     * @param bug the bug whose site this is
     * @return true when the caller is to commit the bug
     */
    public boolean commits(GuestBug bug) {
        if (!on[bug.ordinal()]) {
            return false;
        }
        hits.incrementAndGet(bug.ordinal());
        String site = site();
        synchronized (sites) {
            sites.computeIfAbsent(bug, b -> new TreeSet<>()).add(site);
        }
        return true;
    }

    /** @return the method that called the caller of this method, as {@code class.method} */
    private static String site() {
        return WALKER.walk(frames -> frames.skip(2).findFirst().map(f -> f.getClassName() + "." + f.getMethodName()).orElse("?"));
    }

    /**
     * @param bug a bug
     * @return whether this guest commits it
     */
    public boolean isOn(GuestBug bug) {
        return on[bug.ordinal()];
    }

    /** @return the bugs switched on */
    public Set<GuestBug> bugs() {
        Set<GuestBug> s = EnumSet.noneOf(GuestBug.class);
        for (GuestBug b : GuestBug.values()) {
            if (on[b.ordinal()]) {
                s.add(b);
            }
        }
        return s;
    }

    /**
     * @param bug a bug
     * @return how many times its site committed it so far; 0 while it is off
     */
    public long hits(GuestBug bug) {
        return hits.get(bug.ordinal());
    }

    /**
     * @param bug a bug
     * @return the methods ({@code class.method}) where it was committed so far, sorted; empty while it is
     *         off or before its site ran
     */
    public Set<String> sitesOf(GuestBug bug) {
        synchronized (sites) {
            return Set.copyOf(sites.getOrDefault(bug, Set.of()));
        }
    }
}
