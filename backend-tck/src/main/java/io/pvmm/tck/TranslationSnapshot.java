package io.pvmm.tck;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.hw.TlbCoherence;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the guest's address spaces translate to at one moment, read by the independent hardware walker
 * ({@link Mmu}) and cut into 4 KiB pages, so guests whose tables have different shapes (large pages or
 * not) compare page by page: for every live process, each mapped user page's frame and its user and
 * writable bits; for the kernel ({@code swapper_pg_dir}), each mapped page's frame; and what the
 * hardware would use instead of the tables: every TLB entry that no longer agrees with them
 * ({@link TlbCoherence}), which a correct kernel never leaves behind at a quiescent point.
 *
 * <p>Take it only at a quiescent point: one vCPU between operations, or every vCPU parked.
 */
public final class TranslationSnapshot {

    /** A user page's translation. */
    record Page(long pfn, boolean user, boolean writable) {
        @Override
        public String toString() {
            return "pfn 0x" + Long.toHexString(pfn) + (user ? " user" : " kernel") + (writable ? " rw" : " ro");
        }
    }

    private static final int MAX_REPORTED = 10;

    private final Map<Integer, Map<Long, Page>> users;
    private final long[] kernelVa;
    private final long[] kernelPfn;
    private final List<String> staleTlb;

    private TranslationSnapshot(Map<Integer, Map<Long, Page>> users, long[] kernelVa, long[] kernelPfn, List<String> staleTlb) {
        this.users = users;
        this.kernelVa = kernelVa;
        this.kernelPfn = kernelPfn;
        this.staleTlb = staleTlb;
    }

    /**
     * Reads every live process's user pages and the kernel's pages.
     *
     * @param kernel a quiescent guest
     * @return the snapshot
     */
    public static TranslationSnapshot capture(GuestKernel kernel) {
        Mmu mmu = kernel.mmu();
        Map<Integer, Map<Long, Page>> users = new TreeMap<>();
        for (Task task : kernel.processes().tasks().values()) {
            if (task.mm() == null) {
                continue;
            }
            Map<Long, Page> pages = new HashMap<>();
            mmu.forEachPage(task.mm().pgd(), 0, PagingMode.PAGE_OFFSET,
                    t -> pages.put(t.va(), new Page(t.pfn(), t.user(), t.writable())));
            users.put(task.pid(), pages);
        }
        List<long[]> kernelPages = new ArrayList<>();
        mmu.forEachPage(kernel.layout().swapperPgDir(), PagingMode.PAGE_OFFSET, 1L << 32,
                t -> kernelPages.add(new long[] {t.va(), t.pfn()}));
        long[] va = new long[kernelPages.size()];
        long[] pfn = new long[kernelPages.size()];
        for (int i = 0; i < va.length; i++) {
            va[i] = kernelPages.get(i)[0];
            pfn[i] = kernelPages.get(i)[1];
        }
        return new TranslationSnapshot(users, va, pfn, TlbCoherence.staleEntries(kernel.machine().tlbs(), mmu, MAX_REPORTED));
    }

    /** @return the live processes that have an address space, by pid */
    public java.util.Set<Integer> processes() {
        return users.keySet();
    }

    /** @return how many user pages are mapped, over every process */
    public long userPages() {
        return users.values().stream().mapToLong(Map::size).sum();
    }

    /** @return the TLB entries that disagreed with the tables, in plain words; empty in a correct guest */
    public List<String> staleTlbEntries() {
        return staleTlb;
    }

    /** @return how many kernel pages are mapped */
    public int kernelPages() {
        return kernelVa.length;
    }

    /**
     * Where this snapshot differs from {@code expected}, page for page: the same processes, the same
     * user pages with the same frame, user and writable bits, the same kernel pages with the same frame,
     * and no TLB entry that disagrees with the tables.
     *
     * @param expected the snapshot to match
     * @return the differences, at most a handful, each in plain words; empty when equal
     */
    public List<String> differencesFrom(TranslationSnapshot expected) {
        Objects.requireNonNull(expected, "expected");
        List<String> out = staleDifferences(expected);
        if (!users.keySet().equals(expected.users.keySet())) {
            out.add("live processes " + users.keySet() + ", expected " + expected.users.keySet());
        }
        for (Map.Entry<Integer, Map<Long, Page>> e : expected.users.entrySet()) {
            Map<Long, Page> mine = users.getOrDefault(e.getKey(), Map.of());
            comparePages("process " + e.getKey(), e.getValue(), mine, out);
        }
        for (int i = 0, j = 0; (i < kernelVa.length || j < expected.kernelVa.length) && out.size() < MAX_REPORTED; ) {
            long a = i < kernelVa.length ? kernelVa[i] : Long.MAX_VALUE;
            long b = j < expected.kernelVa.length ? expected.kernelVa[j] : Long.MAX_VALUE;
            if (a == b) {
                if (kernelPfn[i] != expected.kernelPfn[j]) {
                    out.add(String.format("kernel 0x%08x maps pfn 0x%x, expected pfn 0x%x", a, kernelPfn[i], expected.kernelPfn[j]));
                }
                i++;
                j++;
            } else if (a < b) {
                out.add(String.format("kernel 0x%08x maps pfn 0x%x, expected nothing", a, kernelPfn[i]));
                i++;
            } else {
                out.add(String.format("kernel 0x%08x maps nothing, expected pfn 0x%x", b, expected.kernelPfn[j]));
                j++;
            }
        }
        if (kernelVa.length != expected.kernelVa.length) {
            out.add("kernel maps " + kernelVa.length + " pages, expected " + expected.kernelVa.length);
        }
        return out.size() > MAX_REPORTED ? out.subList(0, MAX_REPORTED) : out;
    }

    /**
     * Where this snapshot's user pages differ from {@code expected}'s up to a renaming of frames: the
     * same processes map the same pages with the same bits, and one one-to-one renaming of frames
     * carries every expected frame to this snapshot's, so sharing (copy-on-write, the zero page, file
     * pages) is the same. For guests whose platforms differ, where the allocator hands out other frames.
     *
     * @param expected the snapshot to match
     * @return the differences, at most a handful; empty when equal up to renaming
     */
    public List<String> userDifferencesUpToFrameRenaming(TranslationSnapshot expected) {
        List<String> out = staleDifferences(expected);
        if (!users.keySet().equals(expected.users.keySet())) {
            out.add("live processes " + users.keySet() + ", expected " + expected.users.keySet());
        }
        Map<Long, Long> forward = new HashMap<>();
        Map<Long, Long> backward = new HashMap<>();
        for (Map.Entry<Integer, Map<Long, Page>> e : expected.users.entrySet()) {
            Map<Long, Page> mine = users.getOrDefault(e.getKey(), Map.of());
            for (Map.Entry<Long, Page> p : new TreeMap<>(e.getValue()).entrySet()) {
                Page want = p.getValue();
                Page got = mine.get(p.getKey());
                String where = String.format("process %d 0x%08x", e.getKey(), p.getKey());
                if (got == null) {
                    add(out, where + " maps nothing, expected " + want);
                } else if (got.user() != want.user() || got.writable() != want.writable()) {
                    add(out, where + " maps " + got + ", expected the bits of " + want);
                } else if (forward.computeIfAbsent(want.pfn(), k -> got.pfn()) != got.pfn()
                        || backward.computeIfAbsent(got.pfn(), k -> want.pfn()) != want.pfn()) {
                    add(out, where + " maps " + got + ", which breaks the sharing of expected " + want);
                }
            }
            for (Long va : mine.keySet()) {
                if (!e.getValue().containsKey(va)) {
                    add(out, String.format("process %d 0x%08x maps %s, expected nothing", e.getKey(), va, mine.get(va)));
                }
            }
        }
        return out.size() > MAX_REPORTED ? out.subList(0, MAX_REPORTED) : out;
    }

    private List<String> staleDifferences(TranslationSnapshot expected) {
        List<String> out = new ArrayList<>();
        for (String e : staleTlb) {
            if (!expected.staleTlb.contains(e)) {
                out.add("stale TLB entry: " + e);
            }
        }
        return out;
    }

    private static void comparePages(String who, Map<Long, Page> expected, Map<Long, Page> mine, List<String> out) {
        for (Map.Entry<Long, Page> p : new TreeMap<>(expected).entrySet()) {
            Page got = mine.get(p.getKey());
            if (!p.getValue().equals(got)) {
                add(out, String.format("%s 0x%08x maps %s, expected %s", who, p.getKey(),
                        got == null ? "nothing" : got, p.getValue()));
            }
        }
        for (Map.Entry<Long, Page> p : new TreeMap<>(mine).entrySet()) {
            if (!expected.containsKey(p.getKey())) {
                add(out, String.format("%s 0x%08x maps %s, expected nothing", who, p.getKey(), p.getValue()));
            }
        }
    }

    private static void add(List<String> out, String s) {
        if (out.size() <= MAX_REPORTED) {
            out.add(s);
        }
    }
}
