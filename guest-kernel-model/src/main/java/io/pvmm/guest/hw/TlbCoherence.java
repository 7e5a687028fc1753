package io.pvmm.guest.hw;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether the TLBs agree with the page tables at a quiescent point: every entry a vCPU caches
 * translates, through the root that vCPU has loaded, to what a walk finds now, with no permission the
 * walk would refuse. At a quiescent point the kernel has made every flush its changes call for, so
 * an entry that disagrees is one it forgot to flush: the next access through it reaches the wrong
 * frame, or one already freed. (An entry with fewer permissions than the tables would only cost a
 * spurious fault, and the kernel may leave it; it is not reported.)
 */
public final class TlbCoherence {

    private TlbCoherence() {
    }

    /**
     * The entries that disagree with the tables, each in plain words, at most {@code limit}.
     *
     * @param tlbs  the vCPUs' TLBs
     * @param mmu   the walker
     * @param limit how many to report at most
     * @return the stale entries, empty when every TLB agrees
     */
    public static List<String> staleEntries(Tlbs tlbs, Mmu mmu, int limit) {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < tlbs.count() && out.size() < limit; c++) {
            Tlb tlb = tlbs.get(c);
            long root = tlb.cr3();
            int cpu = c;
            tlb.forEach(e -> {
                if (out.size() >= limit) {
                    return;
                }
                Mmu.Translation t = root < 0 ? null : mmu.translate(root, e.va());
                String why = null;
                if (t == null) {
                    why = "the tables map nothing there";
                } else if (t.page(e.va()).pa() != e.pa()) {
                    why = String.format("the tables map pfn 0x%x", t.page(e.va()).pfn());
                } else if ((e.writable() && !t.writable()) || (e.user() && !t.user()) || (e.executable() && !t.executable())) {
                    why = "the tables allow less (" + (t.writable() ? "rw" : "ro") + (t.user() ? " user" : " kernel") + ")";
                }
                if (why != null) {
                    out.add(String.format("cpu %d caches 0x%08x -> pfn 0x%x %s%s, but %s", cpu, e.va(), e.pa() >>> 12,
                            e.writable() ? "rw" : "ro", e.user() ? " user" : " kernel", why));
                }
            });
        }
        return out;
    }
}
