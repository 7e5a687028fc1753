package io.pvmm.trace.strace;

import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.mm.Vma;
import io.pvmm.guest.workload.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the tracker's events into trace operations: 64-bit ranges placed by each lineage's
 * {@link LayoutPlan}, each address space followed in an {@link AddressSpaceMirror}, touches chosen by the
 * {@link TouchPolicy}. What the model has no operation for becomes what has the same effect on page
 * tables: {@code mremap} an {@code mmap} of the new range and an {@code munmap} of the old (or of the
 * tail), a range {@code mprotect} names that no traced call mapped (the dynamic loader, which the kernel
 * maps at {@code execve}) a private file mapping first.
 */
final class OpWriter {

    /** The file id key of what the kernel mapped at {@code execve} that no traced call shows. */
    static final String IMPLICIT = "implicit:execve";

    private final Map<Integer, LayoutPlan> plans;
    private final ImportOptions options;
    private final List<ImportWarning> warnings;
    private final List<Op> ops = new ArrayList<>();
    private final Map<Integer, AddressSpaceMirror> spaces = new HashMap<>();
    private final Map<Integer, Integer> layoutOf = new HashMap<>();
    private final Map<String, Integer> files = new HashMap<>();
    private int mappings;
    private int implicit;
    private int clipped;

    OpWriter(Map<Integer, LayoutPlan> plans, ImportOptions options, List<ImportWarning> warnings) {
        this.plans = plans;
        this.options = options;
        this.warnings = warnings;
    }

    /**
     * Writes every event.
     *
     * @param events the tracker's events, in order
     * @return the operations
     * @throws StraceImportException if a mapping does not fit and the options refuse it
     */
    List<Op> write(List<MmEvent> events) throws StraceImportException {
        for (MmEvent e : events) {
            if (e instanceof MmEvent.Root r) {
                ops.add(new Op.Spawn(r.pid()));
            } else if (e instanceof MmEvent.Create c) {
                create(c);
            } else if (e instanceof MmEvent.Exec x) {
                exec(x);
            } else if (e instanceof MmEvent.Exit x) {
                ops.add(new Op.Exit(x.pid()));
                spaces.remove(x.pid());
                layoutOf.remove(x.pid());
            } else if (spaces.get(e.pid()) != null) {
                memory(e, spaces.get(e.pid()), plans.get(layoutOf.get(e.pid())));
            }
        }
        return ops;
    }

    private void create(MmEvent.Create c) {
        AddressSpaceMirror parent = spaces.get(c.pid());
        if (c.thread()) {
            ops.add(new Op.Clone(c.pid(), c.child()));
            spaces.put(c.child(), parent);
        } else {
            ops.add(new Op.Fork(c.pid(), c.child()));
            spaces.put(c.child(), parent == null ? null : parent.forkCopy());
        }
        Integer layout = layoutOf.get(c.pid());
        if (layout != null) {
            layoutOf.put(c.child(), layout);
        }
    }

    private void exec(MmEvent.Exec x) {
        LayoutPlan plan = plans.get(x.layout());
        ExecImage image = new ExecImage(fileId("exe:" + x.path()), plan.textPages(), plan.dataPages(), plan.bssPages(),
                options.touch().stackPages());
        ops.add(new Op.Exec(x.pid(), image));
        AddressSpaceMirror mirror = AddressSpaceMirror.forImage(image);
        spaces.put(x.pid(), mirror);
        layoutOf.put(x.pid(), x.layout());
        long text = ExecImage.TEXT_START;
        long data = text + image.textPages() * LayoutPlan.PAGE;
        touch(x.pid(), mirror, text, data, false);
        touch(x.pid(), mirror, data, plan.heapBase32(), false);
    }

    private void memory(MmEvent e, AddressSpaceMirror m, LayoutPlan plan) throws StraceImportException {
        int pid = e.pid();
        if (e instanceof MmEvent.Map map) {
            LayoutPlan.Placement p = place(plan, map.line(), "mmap", map.addr(), map.len());
            if (p == null) {
                return;
            }
            int flags = map.prot() | (map.shared() ? Vma.SHARED : 0);
            int file = map.fileKey() == null ? 0 : fileId(map.fileKey());
            long pgoff = file == 0 ? 0 : map.pgoff() + p.front() / LayoutPlan.PAGE;
            mmap(pid, m, p.addr(), p.len(), flags, file, pgoff);
            if (map.stack()) {
                m.protect(p.addr(), p.addr() + LayoutPlan.roundUp(p.len()), map.prot(), Vma.STACK);
            }
            mappings++;
            touch(pid, m, p.addr(), p.addr() + LayoutPlan.roundUp(p.len()), map.stack());
        } else if (e instanceof MmEvent.Unmap u) {
            LayoutPlan.Placement p = plan.place(u.addr(), u.len());
            if (p != null) {
                ops.add(new Op.Munmap(pid, p.addr(), p.len()));
                m.unmap(p.addr(), p.addr() + LayoutPlan.roundUp(p.len()));
            }
        } else if (e instanceof MmEvent.Protect pr) {
            protect(pr, m, plan);
        } else if (e instanceof MmEvent.Remap r) {
            remap(r, m, plan);
        } else if (e instanceof MmEvent.Brk b) {
            brk(b, m, plan);
        }
    }

    private void mmap(int pid, AddressSpaceMirror m, long addr, long len, int flags, int file, long pgoff) {
        ops.add(new Op.Mmap(pid, addr, len, flags, file, pgoff));
        m.map(addr, addr + LayoutPlan.roundUp(len), flags, file, pgoff);
    }

    private void protect(MmEvent.Protect pr, AddressSpaceMirror m, LayoutPlan plan) throws StraceImportException {
        LayoutPlan.Placement p = place(plan, pr.line(), "mprotect", pr.addr(), pr.len());
        if (p == null) {
            return;
        }
        long start = p.addr();
        long end = start + LayoutPlan.roundUp(p.len());
        for (long[] hole : m.holes(start, end)) {
            mmap(pr.pid(), m, hole[0], hole[1] - hole[0], Vma.READ | Vma.WRITE, fileId(IMPLICIT), 0);
            implicit++;
        }
        List<long[]> writable = m.accessible(start, end, true);
        boolean wasWritable = writable.size() == 1 && writable.get(0)[0] == start && writable.get(0)[1] == end;
        boolean grantsWrite = (pr.prot() & Vma.WRITE) != 0 && !wasWritable;
        AddressSpaceMirror.Area first = m.find(start);
        ops.add(new Op.Mprotect(pr.pid(), start, p.len(), pr.prot()));
        m.protect(start, end, pr.prot(), 0);
        if (grantsWrite) {
            touch(pr.pid(), m, start, end, first != null && (first.flags() & Vma.STACK) != 0);
        }
    }

    private void remap(MmEvent.Remap r, AddressSpaceMirror m, LayoutPlan plan) throws StraceImportException {
        int pid = r.pid();
        LayoutPlan.Placement from = plan.place(r.addr(), r.oldLen());
        LayoutPlan.Placement to = place(plan, r.line(), "mremap", r.newAddr(), r.newLen());
        AddressSpaceMirror.Area area = from == null ? null : m.find(from.addr());
        int flags = area == null ? Vma.READ | Vma.WRITE : area.flags() & (Vma.READ | Vma.WRITE | Vma.EXEC | Vma.SHARED);
        int file = area == null ? 0 : area.fileId();
        long pgoff = area == null || file == 0 ? 0 : area.pgoff() + (from.addr() - area.start()) / LayoutPlan.PAGE;
        if (to == null) {
            return;
        }
        mappings++;
        long oldEnd = from == null ? 0 : from.addr() + LayoutPlan.roundUp(from.len());
        long newEnd = to.addr() + LayoutPlan.roundUp(to.len());
        if (from != null && to.addr() == from.addr()) {
            if (newEnd > oldEnd) {
                mmap(pid, m, oldEnd, newEnd - oldEnd, flags, file, file == 0 ? 0 : pgoff + (oldEnd - to.addr()) / LayoutPlan.PAGE);
                touch(pid, m, oldEnd, newEnd, false);
            } else if (newEnd < oldEnd) {
                ops.add(new Op.Munmap(pid, newEnd, oldEnd - newEnd));
                m.unmap(newEnd, oldEnd);
            }
            return;
        }
        mmap(pid, m, to.addr(), to.len(), flags, file, pgoff);
        if (from != null) {
            ops.add(new Op.Munmap(pid, from.addr(), from.len()));
            m.unmap(from.addr(), oldEnd);
        }
        touch(pid, m, to.addr(), newEnd, false);
    }

    private void brk(MmEvent.Brk b, AddressSpaceMirror m, LayoutPlan plan) throws StraceImportException {
        long v = plan.brk(b.value());
        int side = plan.brkSide(b.value());
        if (side < 0) {
            warnings.add(new ImportWarning(b.line(), ImportWarning.Kind.NOT_CARRIED_OVER,
                    String.format("brk to 0x%x lies below the heap's start; the heap stays at its start", b.value())));
        } else if (side > 0) {
            clip(b.line(), String.format("brk to 0x%x", b.value()), "the heap's room ends at 0x" + Long.toHexString(v));
        }
        long old = LayoutPlan.roundUp(m.brk());
        long now = LayoutPlan.roundUp(v);
        if (v == m.brk()) {
            return;
        }
        if (m.brkTrusted()) {
            ops.add(new Op.Brk(b.pid(), v));
            if (now > old) {
                m.map(old, now, Vma.READ | Vma.WRITE, 0, 0);
            } else if (now < old) {
                m.unmap(now, old);
            }
        } else if (now > old) {
            mmap(b.pid(), m, old, now - old, Vma.READ | Vma.WRITE, 0, 0);
        } else if (now < old) {
            ops.add(new Op.Munmap(b.pid(), now, old - now));
            m.unmap(now, old);
        }
        m.brk(v);
        if (now > old) {
            touch(b.pid(), m, old, now, false);
        }
    }

    /** Places a range, warning about or refusing what does not fit. */
    private LayoutPlan.Placement place(LayoutPlan plan, int line, String call, long addr, long len) throws StraceImportException {
        LayoutPlan.Placement p = plan.place(addr, len);
        if (p == null || p.clipped()) {
            String what = String.format("%s of 0x%x bytes at 0x%x", call, len, addr);
            clip(line, what, p == null ? "none of it fits in the i386 user space" : String.format(
                    "only 0x%x bytes fit, at 0x%x", p.len(), p.addr()));
        }
        return p;
    }

    private void clip(int line, String what, String detail) throws StraceImportException {
        if (options.oversize() == ImportOptions.Oversize.REFUSE) {
            throw new StraceImportException(StraceImportException.Reason.DOES_NOT_FIT, line, what + " does not fit: " + detail,
                    "mappings that fit, with the program's others, below 0xB7F00000 in the 3 GiB i386 user space",
                    "Import with --oversize clip to keep the part that fits, or trace a smaller run of the program");
        }
        clipped++;
        warnings.add(new ImportWarning(line, ImportWarning.Kind.CLIPPED, what + ": " + detail));
    }

    private void touch(int pid, AddressSpaceMirror m, long start, long end, boolean stack) {
        ops.addAll(options.touch().touches(pid, m, start, end, stack));
    }

    private int fileId(String key) {
        return files.computeIfAbsent(key, k -> files.size() + 1);
    }

    /** @return mappings imported: {@code mmap} and {@code mremap} calls that became mappings */
    int mappings() {
        return mappings;
    }

    /** @return ranges the kernel mapped at {@code execve} that a call named, mapped by the import first */
    int implicitMappings() {
        return implicit;
    }

    /** @return calls clipped or dropped because they did not fit */
    int clipped() {
        return clipped;
    }

    /** @return distinct files mapped */
    int files() {
        return files.size();
    }
}
