package io.pvmm.backend.nested;

import io.pvmm.api.BackendContext;
import io.pvmm.api.CostEvent;
import io.pvmm.api.Finding;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PageWalk;
import io.pvmm.api.ParavirtOps;
import java.util.List;
import java.util.Map;

/**
 * Hardware-assisted nested paging as the guest's paravirt_ops see it: nothing to do. The guest's
 * page tables are the ones the hardware walks, so the lifecycle hooks, CR3 writes and TLB flushes
 * cost no exit and the hypervisor keeps no shadow and protects no frame; the entry writes are plain
 * stores, each to a guest frame the host must have mapped. What the host does is behind the guest:
 * each walk of the guest's tables after a TLB miss ({@link #pageWalk}) goes through the host's
 * {@link NestedTable} once per guest-physical address it reads, and a frame the table lacks is an
 * {@link EptViolation}.
 *
 * <p><b>Threading:</b> walks and stores come from every vCPU; the table serialises its changes.
 */
final class NestedOps implements ParavirtOps {

    private final GuestMemory memory;
    private final HostFrames frames;
    private final NestedTable table;
    private final EptViolation exits;
    private final NestedCounters counters = new NestedCounters();
    private final long guestFrames;
    private final ThreadLocal<long[]> refs = ThreadLocal.withInitial(() -> new long[1]);

    NestedOps(BackendContext context, boolean largeHostPages) {
        this.memory = context.memory();
        this.guestFrames = memory.frames();
        this.frames = new HostFrames(guestFrames);
        this.table = new NestedTable(frames, largeHostPages);
        this.exits = new EptViolation(table, counters, guestFrames);
    }

    // lifecycle hooks: the guest's tables are the hardware's; the host need not know

    @Override
    public void allocPt(long pfn) {
    }

    @Override
    public void allocPd(long pfn) {
    }

    @Override
    public void allocPdClone(long pfn, long clonePfn, int start, int count) {
    }

    @Override
    public void releasePt(long pfn) {
    }

    @Override
    public void releasePd(long pfn) {
    }

    // entry writes: ordinary guest stores to guest-physical memory

    @Override
    public void setPte(long ptePa, long value) {
        store(ptePa, value);
    }

    @Override
    public void setPmd(long pmdPa, long value) {
        store(pmdPa, value);
    }

    private void store(long pa, long value) {
        if (!table.mapped(pa)) {
            exits.handle(pa);
        }
        memory.writeEntry(pa, value);
    }

    // the hardware's walk, nested

    @Override
    public boolean observesPageWalks() {
        return true;
    }

    /**
     * The 2-D walk: each guest entry's address goes through the nested table ({@code m} references)
     * and is then read (1), and so does the address the access lands on ({@code m}): {@code n(m+1)+m
     * = (n+1)(m+1)-1} in all. An EPT violation on the way exits, maps the frame, and the processor
     * restarts the walk; the references made before it are counted apart.
     */
    @Override
    public void pageWalk(PageWalk walk) {
        long aborted = 0;
        while (true) {
            long[] r = refs.get();
            r[0] = 0;
            long missing = -1;
            for (int i = 0; i < walk.levels() && missing < 0; i++) {
                long gpa = walk.entryAddress(i);
                if (table.translate(gpa, r) < 0) {
                    missing = gpa;
                } else {
                    r[0]++; // the guest entry itself
                }
            }
            if (missing < 0 && walk.completed() && table.translate(walk.physicalAddress(), r) < 0) {
                missing = walk.physicalAddress();
            }
            if (missing < 0) {
                counters.walk(walk.levels(), r[0], aborted);
                return;
            }
            aborted += r[0];
            exits.handle(missing);
        }
    }

    @Override
    public void accessedDirtySet(long mmPgdPa, long address, long entryPa, int level) {
        // the processor set the bits in guest memory through the nested table, as it walked it
    }

    // inspection

    @Override
    public Map<String, Long> counters() {
        return counters.snapshot(table.tableCount());
    }

    @Override
    public Map<CostEvent, Long> costEvents() {
        return counters.costEvents();
    }

    @Override
    public List<Finding> audit() {
        return NestedAudit.audit(table, frames, guestFrames);
    }

    /** @return the nested table, for tests in this package */
    NestedTable table() {
        return table;
    }

    /** @return host memory, for tests in this package */
    HostFrames frames() {
        return frames;
    }
}
