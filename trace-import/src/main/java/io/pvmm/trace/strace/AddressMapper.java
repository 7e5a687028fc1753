package io.pvmm.trace.strace;

import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.mm.Mmap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans, for each address-space lineage, where its 64-bit addresses go in the i386 user space
 * ({@code [0, 0xC0000000)}), from every range the lineage's events name:
 *
 * <ul>
 *   <li>the heap starts at the first {@code brk} value; ranges below both the heap and the lowest address
 *       {@code mmap} chose are the program's own segments (its {@code PT_GNU_RELRO}), which go into the
 *       image's data, right after its text at {@code 0x08048000}; the heap follows the image;</li>
 *   <li>everything else is the mmap area, placed top-down from {@code MMAP_BASE} (0xB7F00000), its highest
 *       island ending there; the gaps between islands keep their 64-bit size while everything fits, and are
 *       capped evenly (down to one page) when it does not;</li>
 *   <li>when even one-page gaps do not fit, the heap keeps up to 64 MiB of room and the mmap area's lowest
 *       islands are clipped: what falls below the heap's room does not fit.</li>
 * </ul>
 */
final class AddressMapper {

    /** Room left between the heap's room and the mmap area. */
    static final long GUARD = 1L << 20;
    /** The most a gap between the program's segments keeps. */
    static final long PROGRAM_GAP_CAP = 16 * LayoutPlan.PAGE;
    /** The heap's room when the mmap area needs the rest. */
    static final long HEAP_MIN_ROOM = 64L << 20;
    /** The most an image may hold (the trace format's limit). */
    static final long IMAGE_LIMIT = 512L << 20;

    private final Map<Integer, Lineage> lineages = new HashMap<>();

    /** What one lineage's events name. */
    private static final class Lineage {
        final List<long[]> ranges = new ArrayList<>();
        long heapStart = -1;
        long heapEnd = -1;
        long lowestChosen = -1;
    }

    /**
     * Plans every lineage of the events.
     *
     * @param events the tracker's events
     * @return the plans, by lineage
     */
    static Map<Integer, LayoutPlan> plan(List<MmEvent> events) {
        AddressMapper m = new AddressMapper();
        events.forEach(m::collect);
        Map<Integer, LayoutPlan> plans = new HashMap<>();
        m.lineages.forEach((id, l) -> plans.put(id, m.build(l)));
        return plans;
    }

    private void collect(MmEvent e) {
        if (e instanceof MmEvent.Exec x) {
            lineages.computeIfAbsent(x.layout(), k -> new Lineage());
        } else if (e instanceof MmEvent.Map m) {
            Lineage l = lineage(m.layout());
            l.ranges.add(range(m.addr(), m.len()));
            if (!m.fixed() && (l.lowestChosen < 0 || Long.compareUnsigned(m.addr(), l.lowestChosen) < 0)) {
                l.lowestChosen = m.addr();
            }
        } else if (e instanceof MmEvent.Unmap u) {
            lineage(u.layout()).ranges.add(range(u.addr(), u.len()));
        } else if (e instanceof MmEvent.Protect p) {
            lineage(p.layout()).ranges.add(range(p.addr(), p.len()));
        } else if (e instanceof MmEvent.Remap r) {
            lineage(r.layout()).ranges.add(range(r.addr(), r.oldLen()));
            lineage(r.layout()).ranges.add(range(r.newAddr(), r.newLen()));
        } else if (e instanceof MmEvent.Brk b) {
            Lineage l = lineage(b.layout());
            if (l.heapStart < 0) {
                l.heapStart = b.value() & -LayoutPlan.PAGE;
            }
            l.heapEnd = Math.max(l.heapEnd, LayoutPlan.roundUp(b.value()));
        }
    }

    private Lineage lineage(int id) {
        return lineages.computeIfAbsent(id, k -> new Lineage());
    }

    private static long[] range(long addr, long len) {
        return new long[] {addr & -LayoutPlan.PAGE, LayoutPlan.roundUp(addr + Math.max(len, 1))};
    }

    private LayoutPlan build(Lineage l) {
        boolean heap = l.heapStart >= 0;
        long heapStart = l.heapStart;
        long heapEnd = heap ? Math.max(l.heapEnd, heapStart) : -1;
        long boundary = heap ? (l.lowestChosen >= 0 ? Math.min(heapStart, l.lowestChosen) : heapStart)
                : (l.lowestChosen >= 0 ? l.lowestChosen : 0);
        List<long[]> program = new ArrayList<>();
        List<long[]> high = new ArrayList<>();
        for (long[] r : l.ranges) {
            if (heap && r[0] < heapEnd && r[1] > heapStart) {
                heapStart = Math.min(heapStart, r[0]); // a call on the heap's range widens it
                heapEnd = Math.max(heapEnd, r[1]);
            } else if (r[1] <= boundary) {
                program.add(r);
            } else {
                high.add(r);
            }
        }
        program = merge(program);
        high = merge(high);
        int text = ExecImage.DEFAULT.textPages();
        int bss = ExecImage.DEFAULT.bssPages();
        long dataStart = ExecImage.TEXT_START + text * LayoutPlan.PAGE;
        List<LayoutPlan.Island> islands = new ArrayList<>();
        long dataEnd = dataStart;
        long dataLimit = ExecImage.TEXT_START + IMAGE_LIMIT - bss * LayoutPlan.PAGE;
        List<long[]> placedProgram = new ArrayList<>();
        for (int i = 0; i < program.size(); i++) {
            long[] r = program.get(i);
            long start32 = i == 0 ? dataStart : dataEnd + Math.min(r[0] - program.get(i - 1)[1], PROGRAM_GAP_CAP);
            placedProgram.add(new long[] {r[0], r[1], start32});
            dataEnd = start32 + (r[1] - r[0]);
        }
        dataEnd = program.isEmpty() ? dataStart + ExecImage.DEFAULT.dataPages() * LayoutPlan.PAGE : Math.min(dataEnd, dataLimit);
        for (long[] p : placedProgram) {
            islands.add(new LayoutPlan.Island(LayoutPlan.Part.PROGRAM, p[0], p[1], p[2], dataStart, dataEnd));
        }
        int data = (int) ((dataEnd - dataStart) / LayoutPlan.PAGE);
        long heapBase32 = dataEnd + bss * LayoutPlan.PAGE;
        long heapNeed = heap ? heapEnd - heapStart : 0;
        long avail = Mmap.MMAP_BASE - heapBase32 - GUARD;
        long sizes = high.stream().mapToLong(r -> r[1] - r[0]).sum();
        long[] gaps = new long[Math.max(high.size() - 1, 0)];
        for (int i = 0; i < gaps.length; i++) {
            gaps[i] = high.get(i + 1)[0] - high.get(i)[1];
        }
        long highMin = sizes + gaps.length * LayoutPlan.PAGE;
        long heapRoom;
        long cap;
        long floor;
        if (highMin + heapNeed <= avail) {
            cap = gapCap(gaps, avail - heapNeed - sizes);
            long span = sizes;
            for (long g : gaps) {
                span += Math.min(g, cap);
            }
            heapRoom = avail - span;
            floor = Mmap.MMAP_BASE - span;
        } else {
            heapRoom = Math.min(heapNeed, Math.max(avail - highMin, Math.min(heapNeed, HEAP_MIN_ROOM)));
            cap = LayoutPlan.PAGE;
            floor = heapBase32 + heapRoom + GUARD;
        }
        if (heap) {
            islands.add(new LayoutPlan.Island(LayoutPlan.Part.HEAP, heapStart, heapEnd, heapBase32, heapBase32,
                    heapBase32 + heapRoom));
        }
        long cursor = Mmap.MMAP_BASE;
        for (int i = high.size() - 1; i >= 0; i--) {
            long[] r = high.get(i);
            long start32 = cursor - (r[1] - r[0]);
            islands.add(new LayoutPlan.Island(LayoutPlan.Part.MMAP, r[0], r[1], start32, floor, Mmap.MMAP_BASE));
            cursor = i > 0 ? start32 - Math.min(gaps[i - 1], cap) : start32;
        }
        return new LayoutPlan(islands, text, data, bss, heap ? heapStart : 0, heapBase32, heap ? heapRoom : 0);
    }

    /** The largest cap on gaps (a whole number of pages, at least one) whose capped sum stays within budget. */
    private static long gapCap(long[] gaps, long budget) {
        long lo = 1;
        long hi = 1;
        for (long g : gaps) {
            hi = Math.max(hi, g / LayoutPlan.PAGE);
        }
        while (lo < hi) {
            long mid = lo + (hi - lo + 1) / 2;
            long sum = 0;
            for (long g : gaps) {
                sum += Math.min(g, mid * LayoutPlan.PAGE);
            }
            if (sum <= budget) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo * LayoutPlan.PAGE;
    }

    /** Sorts ranges and merges those that overlap or touch. */
    private static List<long[]> merge(List<long[]> ranges) {
        List<long[]> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(r -> r[0]));
        List<long[]> out = new ArrayList<>();
        for (long[] r : sorted) {
            long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && r[0] <= last[1]) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                out.add(new long[] {r[0], r[1]});
            }
        }
        return out;
    }
}
