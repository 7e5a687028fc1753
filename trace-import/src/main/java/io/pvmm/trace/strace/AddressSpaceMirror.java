package io.pvmm.trace.strace;

import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.mm.Mmap;
import io.pvmm.guest.mm.Vma;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The import's copy of what one address space looks like in the model, in 32-bit addresses, kept the
 * way the model keeps its vmas ({@code exec}'s image, {@code mmap} over what is there, {@code munmap} and
 * {@code mprotect} splitting at the edges, {@code brk}), so the import touches only pages the model will
 * find mapped with the access it makes, and knows what {@code mremap} moves.
 */
final class AddressSpaceMirror {

    /** A vma: {@code [start, end)} with {@link Vma} flags, its file and the file page at its start. */
    record Area(long start, long end, int flags, int fileId, long pgoff) {
        Area slice(long from, long to) {
            return new Area(from, to, flags, fileId, pgoff + (from - start) / LayoutPlan.PAGE);
        }
    }

    private final TreeMap<Long, Area> areas = new TreeMap<>();
    private long brk;
    private boolean brkTrusted;

    private AddressSpaceMirror() {
    }

    /**
     * The address space {@code exec} builds for an image, as {@code Processes.setupImage} does.
     *
     * @param image the image
     * @return the mirror; its heap end is the image's end and the model's {@code brk} tracks it
     */
    static AddressSpaceMirror forImage(ExecImage image) {
        AddressSpaceMirror m = new AddressSpaceMirror();
        long p = LayoutPlan.PAGE;
        long text = ExecImage.TEXT_START;
        long data = text + image.textPages() * p;
        long bss = data + image.dataPages() * p;
        long end = bss + image.bssPages() * p;
        m.put(new Area(Mmap.TASK_SIZE - ExecImage.STACK_SIZE, Mmap.TASK_SIZE, Vma.READ | Vma.WRITE | Vma.STACK, 0, 0));
        m.put(new Area(text, data, Vma.READ | Vma.EXEC, image.fileId(), 0));
        if (image.dataPages() > 0) {
            m.put(new Area(data, bss, Vma.READ | Vma.WRITE, image.fileId(), image.textPages()));
        }
        if (image.bssPages() > 0) {
            m.put(new Area(bss, end, Vma.READ | Vma.WRITE, 0, 0));
        }
        m.brk = end;
        m.brkTrusted = true;
        return m;
    }

    /**
     * A fork's copy. The model's {@code fork} does not carry {@code mm->brk} over, so the copy's heap is
     * grown and shrunk with {@code mmap} and {@code munmap} instead of {@code brk}.
     *
     * @return the copy
     */
    AddressSpaceMirror forkCopy() {
        AddressSpaceMirror m = new AddressSpaceMirror();
        m.areas.putAll(areas);
        m.brk = brk;
        m.brkTrusted = false;
        return m;
    }

    private void put(Area a) {
        areas.put(a.start(), a);
    }

    /**
     * {@code mmap} at a fixed address: what is there goes first.
     *
     * @param start  page-aligned start
     * @param end    page-aligned end
     * @param flags  {@link Vma} flags
     * @param fileId the file, or 0
     * @param pgoff  the file page at {@code start}
     */
    void map(long start, long end, int flags, int fileId, long pgoff) {
        unmap(start, end);
        put(new Area(start, end, flags, fileId, pgoff));
    }

    /**
     * {@code munmap}.
     *
     * @param start page-aligned start
     * @param end   page-aligned end
     */
    void unmap(long start, long end) {
        split(start);
        split(end);
        areas.subMap(start, true, end, false).clear();
    }

    /**
     * {@code mprotect} of a range the caller made sure is mapped.
     *
     * @param start page-aligned start
     * @param end   page-aligned end
     * @param prot  the new {@link Vma#READ}, {@link Vma#WRITE}, {@link Vma#EXEC} bits
     * @param mark  other bits to set ({@link Vma#STACK} for a thread's stack), or 0
     */
    void protect(long start, long end, int prot, int mark) {
        split(start);
        split(end);
        int bits = Vma.READ | Vma.WRITE | Vma.EXEC;
        for (Area a : new ArrayList<>(areas.subMap(start, true, end, false).values())) {
            put(new Area(a.start(), a.end(), (a.flags() & ~bits) | (prot & bits) | mark, a.fileId(), a.pgoff()));
        }
    }

    private void split(long at) {
        Map.Entry<Long, Area> e = areas.lowerEntry(at);
        if (e != null && e.getValue().end() > at) {
            Area a = e.getValue();
            put(a.slice(a.start(), at));
            put(a.slice(at, a.end()));
        }
    }

    /**
     * The vma holding an address.
     *
     * @param addr the address
     * @return the vma, or null
     */
    Area find(long addr) {
        Map.Entry<Long, Area> e = areas.floorEntry(addr);
        return e != null && e.getValue().end() > addr ? e.getValue() : null;
    }

    /**
     * The parts of a range no vma covers.
     *
     * @param start page-aligned start
     * @param end   page-aligned end
     * @return the holes, in order
     */
    List<long[]> holes(long start, long end) {
        List<long[]> out = new ArrayList<>();
        long at = start;
        while (at < end) {
            Area a = find(at);
            if (a != null) {
                at = a.end();
                continue;
            }
            Map.Entry<Long, Area> next = areas.higherEntry(at);
            long to = next == null ? end : Math.min(end, next.getKey());
            out.add(new long[] {at, to});
            at = to;
        }
        return out;
    }

    /**
     * The parts of a range that allow an access, as maximal runs.
     *
     * @param start page-aligned start
     * @param end   page-aligned end
     * @param write whether the access writes (else it reads)
     * @return the runs, in order
     */
    List<long[]> accessible(long start, long end, boolean write) {
        List<long[]> out = new ArrayList<>();
        for (long at = start; at < end; ) {
            Area a = find(at);
            if (a == null) {
                Map.Entry<Long, Area> next = areas.higherEntry(at);
                at = next == null ? end : next.getKey();
                continue;
            }
            long to = Math.min(end, a.end());
            if ((a.flags() & (write ? Vma.WRITE : Vma.READ)) != 0) {
                long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
                if (last != null && last[1] == at) {
                    last[1] = to;
                } else {
                    out.add(new long[] {at, to});
                }
            }
            at = to;
        }
        return out;
    }

    /** @return the heap's end as the model has it */
    long brk() {
        return brk;
    }

    /** @param brk the heap's new end */
    void brk(long brk) {
        this.brk = brk;
    }

    /** @return whether the model's own {@code mm->brk} is right for this address space (it was made by exec) */
    boolean brkTrusted() {
        return brkTrusted;
    }
}
