package io.pvmm.guest.workload;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.PageAttr;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.kernel.Task;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.Gfp;
import io.pvmm.guest.memory.KernelOops;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Applies {@link Op}s to a guest kernel, on the calling vCPU, and tallies what they came to. Keeps the
 * workload's own objects: driver buffers ({@code kalloc}) and vmalloc areas, by id.
 *
 * <p>With several vCPUs an operation on a task waits until the operation that creates the task has
 * run on its vCPU (or failed): the trace order is a causal order, so the wait always ends.
 */
public final class OpExecutor {

    private final GuestKernel kernel;
    private final Processes processes;
    private final boolean concurrent;
    private final Map<Integer, Buffer> buffers = new ConcurrentHashMap<>();
    private final Map<Integer, Long> areas = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> settled = new ConcurrentHashMap<>();
    private final Map<Outcome, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final LongAdder operations = new LongAdder();

    /**
     * Creates an executor.
     *
     * @param kernel     the guest
     * @param concurrent whether several vCPUs run operations (tasks may then be created on another vCPU)
     */
    public OpExecutor(GuestKernel kernel, boolean concurrent) {
        this.kernel = kernel;
        this.processes = kernel.processes();
        this.concurrent = concurrent;
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, new LongAdder());
        }
    }

    /**
     * Runs one operation on the calling vCPU.
     *
     * @param op the operation
     * @throws KernelOops if the guest hits {@code BUG()}; a backend's violation passes through
     */
    public void apply(Op op) {
        operations.increment();
        Outcome outcome = dispatch(op);
        outcomes.get(outcome).increment();
        kernel.spend(OpTime.nanos(op));
    }

    private Outcome dispatch(Op op) {
        if (op instanceof Op.Spawn s) {
            processes.spawnKernelThread(s.pid());
            settle(s.pid());
            return Outcome.OK;
        } else if (op instanceof Op.Fork f) {
            await(f.pid());
            try {
                return processes.fork(f.pid(), f.child());
            } finally {
                settle(f.child());
            }
        } else if (op instanceof Op.Clone c) {
            await(c.pid());
            try {
                return processes.cloneThread(c.pid(), c.tid());
            } finally {
                settle(c.tid());
            }
        } else if (op instanceof Op.Exec e) {
            return awaitThen(e.pid(), () -> processes.exec(e.pid(), e.image()));
        } else if (op instanceof Op.Mmap m) {
            return awaitThen(m.pid(), () -> {
                long r = processes.mmap(m.pid(), m.addr(), m.len(), m.flags(), m.fileId(), m.pgoff());
                return r == Integer.MIN_VALUE ? Outcome.NO_TASK : r < 0 ? Outcome.EFAULT : Outcome.OK;
            });
        } else if (op instanceof Op.Munmap m) {
            return awaitThen(m.pid(), () -> processes.munmap(m.pid(), m.addr(), m.len()));
        } else if (op instanceof Op.Mprotect m) {
            return awaitThen(m.pid(), () -> processes.mprotect(m.pid(), m.addr(), m.len(), m.flags()));
        } else if (op instanceof Op.Brk b) {
            return awaitThen(b.pid(), () -> processes.brk(b.pid(), b.addr()));
        } else if (op instanceof Op.Touch t) {
            return awaitThen(t.pid(), () -> touch(t));
        } else if (op instanceof Op.Sigaction a) {
            return awaitThen(a.pid(), () -> processes.sigaction(a.pid()));
        } else if (op instanceof Op.Sigreturn r) {
            return awaitThen(r.pid(), () -> processes.sigreturn(r.pid()));
        } else if (op instanceof Op.Exit x) {
            return awaitThen(x.pid(), () -> processes.exit(x.pid()));
        } else if (op instanceof Op.Kalloc k) {
            return kalloc(k);
        } else if (op instanceof Op.Kfree k) {
            return kfree(k.id());
        } else if (op instanceof Op.ChangePageAttr c) {
            return changePageAttr(c);
        } else if (op instanceof Op.GlobalFlushTlb) {
            kernel.pageAttr().globalFlushTlb();
            return Outcome.OK;
        } else if (op instanceof Op.Vmalloc v) {
            long addr = kernel.vmalloc().vmalloc(v.pages());
            if (addr < 0) {
                return Outcome.ENOMEM;
            }
            areas.put(v.id(), addr);
            return Outcome.OK;
        } else if (op instanceof Op.Vfree v) {
            Long addr = areas.remove(v.id());
            if (addr == null) {
                return Outcome.NO_TASK;
            }
            kernel.vmalloc().vfree(addr);
            return Outcome.OK;
        } else if (op instanceof Op.Vtouch v) {
            return awaitThen(v.pid(), () -> vtouch(v));
        } else if (op instanceof Op.VmallocSyncAll) {
            kernel.fault().vmallocSyncAll();
            return Outcome.OK;
        } else if (op instanceof Op.Reap) {
            kernel.pgTable().shrinkCaches();
            return Outcome.OK;
        }
        throw new IllegalArgumentException("unknown operation " + op);
    }

    private Outcome touch(Op.Touch t) {
        long end = t.addr() + Math.max(t.len(), 1);
        for (long a = t.addr() & ~(PagingMode.PAGE_SIZE - 1L); a < end; a += PagingMode.PAGE_SIZE) {
            Outcome o = processes.touch(t.pid(), a, t.write());
            if (o != Outcome.OK || inHandler(t.pid())) {
                return o; // killed, or in its SIGSEGV handler: the rest waits for the restart after sigreturn
            }
        }
        return Outcome.OK;
    }

    private boolean inHandler(int pid) {
        Task task = processes.task(pid);
        return task != null && task.sigframe() >= 0;
    }

    private Outcome vtouch(Op.Vtouch v) {
        Long addr = areas.get(v.id());
        if (addr == null || processes.task(v.pid()) == null) {
            return Outcome.NO_TASK;
        }
        processes.schedule(v.pid());
        long pgd = kernel.cpus().current().activeMm() == null ? kernel.layout().swapperPgDir()
                : kernel.cpus().current().activeMm().pgd();
        kernel.vmalloc().touch(pgd, addr);
        return Outcome.OK;
    }

    private Outcome kalloc(Op.Kalloc k) {
        long[] pfns = new long[k.pages()];
        for (int i = 0; i < pfns.length; i++) {
            pfns[i] = kernel.pool().alloc(Gfp.KERNEL);
            if (pfns[i] == FreePool.NO_FRAME) {
                for (int j = 0; j < i; j++) {
                    kernel.pool().free(pfns[j]);
                }
                return Outcome.ENOMEM;
            }
        }
        if (buffers.putIfAbsent(k.id(), new Buffer(pfns)) != null) {
            throw new IllegalArgumentException("buffer " + k.id() + " already exists");
        }
        return Outcome.OK;
    }

    private Outcome kfree(int id) {
        Buffer buffer = buffers.remove(id);
        if (buffer == null) {
            return Outcome.NO_TASK;
        }
        for (long pfn : buffer.pfns) {
            kernel.pool().free(pfn);
        }
        return Outcome.OK;
    }

    private Outcome changePageAttr(Op.ChangePageAttr c) {
        Buffer buffer = buffers.get(c.id());
        if (buffer == null) {
            return Outcome.NO_TASK;
        }
        for (int i = 0; i < buffer.pfns.length; i++) {
            if (buffer.attrs[i] == c.attr()) {
                continue;
            }
            int err = kernel.pageAttr().changePageAttr(buffer.pfns[i], 1, c.attr());
            if (err == PageAttr.ENOMEM) {
                return Outcome.ENOMEM;
            }
            if (err != 0) {
                return Outcome.EFAULT;
            }
            buffer.attrs[i] = c.attr();
        }
        return Outcome.OK;
    }

    /** A driver's buffer and the attributes its pages have now. */
    private static final class Buffer {
        final long[] pfns;
        final PageAttr.Attr[] attrs;

        Buffer(long[] pfns) {
            this.pfns = pfns;
            this.attrs = new PageAttr.Attr[pfns.length];
            java.util.Arrays.fill(attrs, PageAttr.Attr.KERNEL);
        }
    }

    private Outcome awaitThen(int pid, java.util.function.Supplier<Outcome> body) {
        await(pid);
        return body.get();
    }

    private void settle(int pid) {
        if (!concurrent) {
            return;
        }
        settled.put(pid, Boolean.TRUE);
        kernel.machine().apic().kickAll();
    }

    /** Waits for a task's creation, taking IPIs meanwhile: the waiting vCPU is idle, with interrupts enabled. */
    private void await(int pid) {
        if (!concurrent || settled.containsKey(pid)) {
            return;
        }
        boolean done = kernel.machine().apic().spinUntil(
                () -> settled.containsKey(pid) || Thread.currentThread().isInterrupted(), TimeUnit.MINUTES.toNanos(2));
        if (!settled.containsKey(pid)) {
            if (done) {
                throw new IllegalStateException("interrupted while waiting for task " + pid);
            }
            throw new IllegalStateException("an operation waits for task " + pid + ", which nothing creates");
        }
    }

    /**
     * Marks a task as existing before the run (set up outside the operations).
     *
     * @param pid the task
     */
    public void preSettle(int pid) {
        settled.put(pid, Boolean.TRUE);
    }

    /** Frees the workload's leftover buffers and vmalloc areas (the end of a run). */
    public void releaseLeftovers() {
        for (int id : buffers.keySet().toArray(new Integer[0])) {
            changePageAttr(new Op.ChangePageAttr(id, PageAttr.Attr.KERNEL));
        }
        kernel.pageAttr().globalFlushTlb();
        for (int id : buffers.keySet().toArray(new Integer[0])) {
            kfree(id);
        }
        for (Long addr : areas.values()) {
            kernel.vmalloc().vfree(addr);
        }
        areas.clear();
    }

    /** @return operations applied so far */
    public long operations() {
        return operations.sum();
    }

    /** @return how many operations came to each outcome */
    public Map<Outcome, Long> outcomes() {
        Map<Outcome, Long> m = new java.util.EnumMap<>(Outcome.class);
        outcomes.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
