package io.pvmm.cli;

import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.KernelLayout;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Task;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the guest sees through its page tables at one moment, walked by the hardware walker
 * ({@link Mmu}) page by page, so that two backends can be compared whatever structure they gave the
 * tables (large pages are split into their 4 KiB pages; Xen has none).
 *
 * <ul>
 *   <li>Every live address space's user half, named by the lowest pid using it: each mapped page's
 *       address, frame, and whether it is writable and user-accessible.</li>
 *   <li>The kernel's half of {@code swapper_pg_dir}: the direct map (each page must map the frame its
 *       address says), and the pages of vmalloc, the persistent kmaps and the fixmap, by their offset in
 *       their region, because a hypervisor that reserves the top of the address space moves those
 *       regions down.</li>
 * </ul>
 *
 * <p>Frames outside the direct map are compared by identity, not number: each distinct frame gets a
 * label in the order the walk first meets it. Which frame the allocator hands out depends on the
 * frames boot used, which depends on the platform (no PSE means more page-table frames); which pages
 * share a frame (after fork, or of one file) does not.
 */
final class TranslationDigest {

    private final long maxLowPfn;
    private final BitSet direct;
    private final Set<String> lines;
    private final long pages;

    private TranslationDigest(long maxLowPfn, BitSet direct, Set<String> lines, long pages) {
        this.maxLowPfn = maxLowPfn;
        this.direct = direct;
        this.lines = lines;
        this.pages = pages;
    }

    /**
     * Walks a quiescent guest's page tables.
     *
     * @param kernel the guest, no vCPU running
     * @return the snapshot
     */
    static TranslationDigest take(GuestKernel kernel) {
        GuestLayout layout = kernel.layout();
        Mmu mmu = kernel.mmu();
        Map<Long, Integer> labels = new HashMap<>();
        Set<String> lines = new LinkedHashSet<>();
        long[] count = new long[1];
        Set<Long> roots = new HashSet<>();
        for (Task task : kernel.processes().tasks().values()) {
            if (task.mm() == null || !roots.add(task.mm().pgd())) {
                continue;
            }
            int pid = task.pid();
            mmu.forEachPage(task.mm().pgd(), 0, PagingMode.PAGE_OFFSET, t -> {
                count[0]++;
                lines.add(String.format(Locale.ROOT, "pid %d 0x%08x frame#%d %s %s", pid, t.va(), label(labels, t.pfn()),
                        t.writable() ? "rw" : "ro", t.user() ? "user" : "kernel"));
            });
        }
        long highMemory = PagingMode.PAGE_OFFSET + (layout.maxLowPfn() << PagingMode.PAGE_SHIFT);
        long pkmapBase = KernelLayout.pkmapBase(layout);
        long fixmapStart = KernelLayout.fixmapStart(layout);
        BitSet direct = new BitSet();
        mmu.forEachPage(layout.swapperPgDir(), PagingMode.PAGE_OFFSET, 1L << 32, t -> {
            count[0]++;
            long va = t.va();
            if (va < highMemory) {
                long index = (va - PagingMode.PAGE_OFFSET) >>> PagingMode.PAGE_SHIFT;
                if (t.pfn() == index) {
                    direct.set((int) index);
                } else {
                    lines.add(String.format(Locale.ROOT, "direct-map +0x%08x maps frame 0x%x, not 0x%x", va - PagingMode.PAGE_OFFSET,
                            t.pfn(), index));
                }
            } else if (va >= layout.vmallocStart() && va < layout.vmallocEnd()) {
                lines.add(String.format(Locale.ROOT, "vmalloc +0x%08x frame#%d", va - layout.vmallocStart(), label(labels, t.pfn())));
            } else if (va >= pkmapBase && va < fixmapStart) {
                lines.add(String.format(Locale.ROOT, "pkmap +0x%08x frame#%d", va - pkmapBase, label(labels, t.pfn())));
            } else if (va >= fixmapStart && va <= layout.fixaddrTop()) {
                lines.add(String.format(Locale.ROOT, "fixmap slot %d frame#%d", (layout.fixaddrTop() - va) >>> PagingMode.PAGE_SHIFT,
                        label(labels, t.pfn())));
            } else {
                lines.add(String.format(Locale.ROOT, "kernel 0x%08x frame#%d", va, label(labels, t.pfn())));
            }
        });
        return new TranslationDigest(layout.maxLowPfn(), direct, lines, count[0]);
    }

    private static int label(Map<Long, Integer> labels, long pfn) {
        return labels.computeIfAbsent(pfn, k -> labels.size());
    }

    /** @return the 4 KiB pages mapped */
    long pages() {
        return pages;
    }

    /**
     * A digest of everything compared, to tell snapshots apart at a glance.
     *
     * @return the first 16 hexadecimal digits of a SHA-256
     */
    String digest() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String line : lines) {
                md.update(line.getBytes(StandardCharsets.UTF_8));
                md.update((byte) '\n');
            }
            md.update(direct.toByteArray());
            StringBuilder sb = new StringBuilder();
            for (byte b : md.digest()) {
                sb.append(String.format(Locale.ROOT, "%02x", b));
            }
            return sb.substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * Compares with another snapshot, the direct map up to the smaller of the two lowmem sizes (a
     * hypervisor hole can shrink lowmem).
     *
     * @param other the reference
     * @return the differences, none when the two agree; at most a few are described
     */
    Differences compare(TranslationDigest other) {
        int limit = (int) Math.min(maxLowPfn, other.maxLowPfn);
        BitSet a = direct.get(0, limit);
        a.xor(other.direct.get(0, limit));
        List<String> examples = new ArrayList<>();
        long n = a.cardinality();
        for (int i = a.nextSetBit(0); i >= 0 && examples.size() < 3; i = a.nextSetBit(i + 1)) {
            examples.add(String.format(Locale.ROOT, "direct-map +0x%08x mapped in only one", (long) i << PagingMode.PAGE_SHIFT));
        }
        for (String line : lines) {
            if (!other.lines.contains(line)) {
                n++;
                if (examples.size() < 3) {
                    examples.add("only here: " + line);
                }
            }
        }
        for (String line : other.lines) {
            if (!lines.contains(line)) {
                n++;
                if (examples.size() < 3) {
                    examples.add("only in the reference: " + line);
                }
            }
        }
        return new Differences(n, examples);
    }

    /**
     * How two snapshots differ.
     *
     * @param count    the pages that differ
     * @param examples a few of them, in words
     */
    record Differences(long count, List<String> examples) {

        /** @return whether the snapshots agree */
        boolean none() {
            return count == 0;
        }
    }
}
