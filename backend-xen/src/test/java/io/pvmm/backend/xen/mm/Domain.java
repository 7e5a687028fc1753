package io.pvmm.backend.xen.mm;

import io.pvmm.api.PagingMode;
import io.pvmm.backend.xen.MapMemory;

/**
 * A hypervisor over 256 frames (or as many as a test asks) of map-backed memory, with helpers that speak guest frames: tables
 * are written straight into memory while they are not tables yet, then handed to Xen.
 */
final class Domain {

    static final int FRAMES = 256;

    final PagingMode mode;
    final MapMemory memory;
    final MachineMemory machine;
    final XenCounters counters = new XenCounters();
    final Hypervisor hv;

    Domain(PagingMode mode) {
        this(mode, FRAMES);
    }

    /** A domain of {@code frames} frames; {@link #snapshot()} still looks at the first {@value #FRAMES} only. */
    Domain(PagingMode mode, long frames) {
        this.mode = mode;
        this.memory = new MapMemory(mode, frames);
        this.machine = new MachineMemory(memory, mode, 11);
        this.hv = new Hypervisor(machine, 2, counters);
    }

    long mfn(long pfn) {
        return machine.p2m(pfn);
    }

    /** The stored value of an entry pointing at {@code targetPfn} with {@code flags}. */
    long entry(long targetPfn, long flags) {
        return machine.makeEntry(mode.makeEntry(targetPfn, flags));
    }

    /** Writes an entry behind Xen's back (fine while the frame is not a validated table). */
    void put(long pfn, int index, long targetPfn, long flags) {
        memory.writeEntry(pfn, index, entry(targetPfn, flags));
    }

    long raw(long pfn, int index) {
        return memory.readEntry(pfn, index);
    }

    long ptr(long pfn, int index) {
        return (mfn(pfn) << PagingMode.PAGE_SHIFT) + (long) index * mode.entryBytes();
    }

    void mmuUpdate(long pfn, int index, long value) {
        hv.hypercall(0, new Hypercall.MmuUpdate(ptr(pfn, index), value));
    }

    void mmuext(MmuextCmd cmd, long pfn) {
        hv.hypercall(0, new Hypercall.MmuextOp(cmd, mfn(pfn)));
    }

    void newBase(int vcpu, long pfn) {
        hv.hypercall(vcpu, new Hypercall.MmuextOp(MmuextCmd.NEW_BASEPTR, mfn(pfn)));
    }

    PageType type(long pfn) {
        return hv.pageType(mfn(pfn));
    }

    int count(long pfn) {
        return hv.typeCount(mfn(pfn));
    }

    boolean pinned(long pfn) {
        return hv.isPinned(mfn(pfn));
    }

    /** Every frame's type and count, to compare state before and after a refused call. */
    String snapshot() {
        StringBuilder sb = new StringBuilder();
        for (long pfn = 0; pfn < FRAMES; pfn++) {
            if (count(pfn) > 0 || type(pfn) != PageType.NONE) {
                sb.append(pfn).append('=').append(type(pfn)).append('/').append(count(pfn))
                        .append(pinned(pfn) ? "P" : "").append(' ');
            }
        }
        for (long pfn = 0; pfn < FRAMES; pfn++) {
            for (int i = 0; i < mode.entriesPerFrame(); i++) {
                long e = raw(pfn, i);
                if (e != 0) {
                    sb.append(pfn).append('[').append(i).append("]=").append(Long.toHexString(e)).append(' ');
                }
            }
        }
        return sb.toString();
    }
}
