package io.pvmm.guest.workload;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.PageAttr;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.mm.Mmap;
import io.pvmm.guest.mm.Vma;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * One vCPU's stream of a built-in workload, generated step by step from a seeded random source: an
 * init process that execs, then rounds in which a process forks, the child may exec, map and touch
 * memory, and old children exit; optionally with mmap/mprotect/munmap churn, a page-attribute storm
 * (driver buffers made uncached, restored, flushed and freed) and vmalloc traffic. The stream keeps
 * its own picture of each process's mappings so every touch lands in a mapping.
 */
final class ScriptedStream implements Iterator<Op> {

    /** What a stream mixes in besides fork and exit. */
    record Mix(boolean churn, boolean pageAttr, boolean vmalloc) {
    }

    private record Region(long start, long pages, boolean writable) {
    }

    private static final long PAGE = PagingMode.PAGE_SIZE;

    private final ArrayDeque<Op> queue = new ArrayDeque<>();
    private final SplittableRandom rnd;
    private final WorkloadSettings settings;
    private final int rounds;
    private final Mix mix;
    private final int init;
    private final Map<Integer, List<Region>> layouts = new HashMap<>();
    private final Map<Integer, Long> nextMap = new HashMap<>();
    private final List<Integer> live = new ArrayList<>();
    private final ArrayDeque<Integer> buffers = new ArrayDeque<>();
    private final ArrayDeque<Integer> areas = new ArrayDeque<>();
    private int nextPid;
    private int nextId;
    private int round;
    private int exits;
    private boolean started;
    private boolean done;

    ScriptedStream(int cpu, long seed, WorkloadSettings settings, int rounds, Mix mix) {
        this.rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + cpu);
        this.settings = settings;
        this.rounds = rounds;
        this.mix = mix;
        this.init = 1 + cpu * 1_000_000;
        this.nextPid = init + 1;
        this.nextId = 1 + cpu * 1_000_000;
    }

    @Override
    public boolean hasNext() {
        while (queue.isEmpty() && !done) {
            step();
        }
        return !queue.isEmpty();
    }

    @Override
    public Op next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return queue.poll();
    }

    private void step() {
        if (!started) {
            started = true;
            queue.add(new Op.Spawn(init));
            exec(init);
            touchSome(init, settings.pages());
            return;
        }
        if (round < rounds) {
            round++;
            oneRound();
            return;
        }
        for (int pid : live) {
            queue.add(new Op.Exit(pid));
        }
        live.clear();
        while (!buffers.isEmpty()) {
            retireBuffer();
        }
        while (!areas.isEmpty()) {
            queue.add(new Op.Vfree(areas.poll()));
        }
        done = true;
    }

    private void oneRound() {
        int parent = live.isEmpty() || rnd.nextDouble() < 0.7 ? init : live.get(rnd.nextInt(live.size()));
        int child = nextPid++;
        queue.add(new Op.Fork(parent, child));
        layouts.put(child, new ArrayList<>(layouts.get(parent)));
        nextMap.put(child, nextMap.get(parent));
        if (rnd.nextDouble() < 0.5) {
            exec(child);
        }
        if (mix.churn() || rnd.nextDouble() < 0.3) {
            mapAnonymous(child);
        }
        touchSome(child, settings.pages());
        if (mix.churn()) {
            churn(child);
        }
        live.add(child);
        if (mix.pageAttr()) {
            pageAttrStep();
        }
        if (mix.vmalloc()) {
            vmallocStep(child);
        }
        while (live.size() > settings.parallel()) {
            queue.add(new Op.Exit(live.remove(rnd.nextInt(live.size()))));
            exits++;
            if (settings.reapEvery() > 0 && exits % settings.reapEvery() == 0) {
                queue.add(new Op.Reap());
            }
        }
    }

    private void exec(int pid) {
        ExecImage image = new ExecImage(1 + rnd.nextInt(3), 8 + rnd.nextInt(24), 2 + rnd.nextInt(6),
                2 + rnd.nextInt(14), 1 + rnd.nextInt(4));
        queue.add(new Op.Exec(pid, image));
        List<Region> regions = new ArrayList<>();
        long text = ExecImage.TEXT_START;
        long data = text + image.textPages() * PAGE;
        long bss = data + image.dataPages() * PAGE;
        regions.add(new Region(text, image.textPages(), false));
        regions.add(new Region(data, image.dataPages(), true));
        regions.add(new Region(bss, image.bssPages(), true));
        regions.add(new Region(Mmap.TASK_SIZE - ExecImage.STACK_SIZE, ExecImage.STACK_SIZE / PAGE, true));
        layouts.put(pid, regions);
        nextMap.put(pid, 0x4000_0000L);
    }

    private void mapAnonymous(int pid) {
        long pages = 1 + rnd.nextInt(64);
        long addr = nextMap.get(pid);
        nextMap.put(pid, addr + (pages + 1) * PAGE);
        queue.add(new Op.Mmap(pid, addr, pages * PAGE, Vma.READ | Vma.WRITE, 0, 0));
        layouts.get(pid).add(new Region(addr, pages, true));
    }

    private void touchSome(int pid, int n) {
        List<Region> regions = layouts.get(pid);
        for (int i = 0; i < n && !regions.isEmpty(); i++) {
            Region r = regions.get(rnd.nextInt(regions.size()));
            long addr = r.start() + rnd.nextLong(r.pages()) * PAGE;
            queue.add(new Op.Touch(pid, addr, PAGE, r.writable() && rnd.nextDouble() < 0.7));
        }
    }

    private void churn(int pid) {
        List<Region> regions = layouts.get(pid);
        Region last = regions.get(regions.size() - 1);
        if (last.start() < Mmap.MMAP_BASE && last.start() >= 0x4000_0000L && last.pages() >= 2) {
            long half = last.pages() / 2;
            if (rnd.nextDouble() < 0.4) {
                queue.add(new Op.Mprotect(pid, last.start(), half * PAGE, Vma.READ));
                queue.add(new Op.Touch(pid, last.start(), half * PAGE, false));
                queue.add(new Op.Mprotect(pid, last.start(), half * PAGE, Vma.READ | Vma.WRITE));
            }
            if (rnd.nextDouble() < 0.4) {
                queue.add(new Op.Munmap(pid, last.start() + half * PAGE, (last.pages() - half) * PAGE));
                regions.set(regions.size() - 1, new Region(last.start(), half, last.writable()));
            }
        }
    }

    private void pageAttrStep() {
        int id = nextId++;
        queue.add(new Op.Kalloc(id, 1 + rnd.nextInt(4)));
        queue.add(new Op.ChangePageAttr(id, PageAttr.Attr.NOCACHE));
        buffers.add(id);
        if (buffers.size() > 4) {
            retireBuffer();
        }
    }

    private void retireBuffer() {
        int id = buffers.poll();
        queue.add(new Op.ChangePageAttr(id, PageAttr.Attr.KERNEL));
        queue.add(new Op.GlobalFlushTlb());
        queue.add(new Op.Kfree(id));
    }

    private void vmallocStep(int pid) {
        double p = rnd.nextDouble();
        if (p < 0.3) {
            int id = nextId++;
            queue.add(new Op.Vmalloc(id, 1 + rnd.nextInt(256)));
            areas.add(id);
            queue.add(new Op.Vtouch(pid, id));
        } else if (p < 0.4 && !areas.isEmpty()) {
            queue.add(new Op.Vfree(areas.poll()));
        } else if (p < 0.5) {
            queue.add(new Op.VmallocSyncAll());
        }
    }
}
