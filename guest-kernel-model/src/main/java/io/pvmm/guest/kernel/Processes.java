package io.pvmm.guest.kernel;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.Fault;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.arch.MmuContext;
import io.pvmm.guest.arch.Paravirt;
import io.pvmm.guest.bugs.BugSites;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.bugs.Variants;
import io.pvmm.guest.arch.Smp;
import io.pvmm.guest.mm.Cpus;
import io.pvmm.guest.mm.Fork;
import io.pvmm.guest.mm.Mmap;
import io.pvmm.guest.mm.MmStruct;
import io.pvmm.guest.mm.Vma;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Tasks and what they do to their address spaces, as system calls and faults reach the memory
 * manager: {@code fork} ({@code dup_mm}), {@code clone(CLONE_VM)}, {@code execve}
 * ({@code exec_mmap}: a new mm, {@code activate_mm}, then the old one's {@code mmput}),
 * {@code mmap}/{@code munmap}/{@code mprotect}/{@code brk}, page faults and the {@code SIGSEGV} they
 * may send ({@code sigaction}, {@code sigreturn}), and {@code exit}
 * ({@code exit_mm}: {@code mmput}; the root itself is freed only when no CPU has it loaded any more).
 *
 * <p>Each operation on a task first makes that task current on the calling CPU ({@code switch_mm}:
 * {@code write_cr3} when the address space changes), so the backend always knows which address space
 * is live where.
 */
public final class Processes {

    /** The result of an operation that can fail in the guest. */
    public enum Outcome {
        /** Done. */
        OK,
        /** Out of memory ({@code -ENOMEM}, or a fault killed the task). */
        ENOMEM,
        /** A bad address or range ({@code -EINVAL}, or {@code SIGSEGV} killed the task). */
        EFAULT,
        /** The task does not exist (its creation failed earlier). */
        NO_TASK
    }

    private final GuestKernel kernel;
    private final Paravirt pv;
    private final Fork fork;
    private final Mmap mmap;
    private final Cpus cpus;
    private final BugSites bugs;
    private final MmuContext mmuContext;
    private final Smp smp;
    private final ConcurrentHashMap<Integer, Task> tasks = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Integer, Boolean> killed = new ConcurrentSkipListMap<>();
    /**
     * Faults one access may take before the model calls it a kernel bug: the hardware would restart
     * the instruction for ever; a handler that returns without mapping the page (or siblings that
     * unmap it as often) is the only way to get here.
     */

    Processes(GuestKernel kernel) {
        this.kernel = kernel;
        this.pv = kernel.pv();
        this.fork = kernel.fork();
        this.mmap = kernel.mmap();
        this.cpus = kernel.cpus();
        this.bugs = kernel.bugSites();
        this.mmuContext = kernel.mmuContext();
        this.smp = kernel.smp();
    }

    /**
     * Creates a kernel thread with no address space (as init is before its first exec).
     *
     * @param pid the new task's id
     */
    public void spawnKernelThread(int pid) {
        if (tasks.putIfAbsent(pid, new Task(pid, pid, null)) != null) {
            throw new IllegalArgumentException("task " + pid + " already exists");
        }
    }

    /**
     * {@code fork()}: the child gets a copy of the parent's address space.
     *
     * @param parentPid the forking task
     * @param childPid  the child's id
     * @return {@link Outcome#OK}, {@link Outcome#ENOMEM} (no child), or {@link Outcome#NO_TASK}
     */
    public Outcome fork(int parentPid, int childPid) {
        Task parent = tasks.get(parentPid);
        if (parent == null) {
            return Outcome.NO_TASK;
        }
        ensureNew(childPid);
        switchTo(parent);
        MmStruct mm = parent.mm() == null ? null : fork.dupMm(parent.mm());
        if (parent.mm() != null && mm == null) {
            return Outcome.ENOMEM;
        }
        tasks.put(childPid, new Task(childPid, childPid, mm));
        return Outcome.OK;
    }

    /**
     * {@code clone(CLONE_VM | CLONE_THREAD)}: a thread sharing the parent's address space; no page
     * tables are created.
     *
     * @param pid the creating task
     * @param tid the new thread's id
     * @return {@link Outcome#OK} or {@link Outcome#NO_TASK}
     */
    public Outcome cloneThread(int pid, int tid) {
        Task parent = tasks.get(pid);
        if (parent == null) {
            return Outcome.NO_TASK;
        }
        ensureNew(tid);
        MmStruct mm = parent.mm();
        if (mm != null) {
            mm.users().incrementAndGet();
        }
        tasks.put(tid, new Task(tid, parent.tgid(), mm));
        return Outcome.OK;
    }

    /**
     * {@code execve}: a new address space built for {@code image}; the other threads of the task's
     * thread group exit first ({@code de_thread}).
     *
     * @param pid   the task
     * @param image what to map
     * @return {@link Outcome#OK}, {@link Outcome#ENOMEM} (the task keeps its old mm), {@link Outcome#NO_TASK}
     */
    public Outcome exec(int pid, ExecImage image) {
        Task task = tasks.get(pid);
        if (task == null) {
            return Outcome.NO_TASK;
        }
        switchTo(task);
        for (Task other : new ArrayList<>(tasks.values())) {
            if (other != task && other.tgid() == task.tgid() && other.mm() != null && other.mm() == task.mm()) {
                exit(other.pid());
                switchTo(task);
            }
        }
        MmStruct mm = fork.mmAlloc();
        if (mm == null) {
            return Outcome.ENOMEM;
        }
        execMmap(task, mm);
        return setupImage(task, mm, image);
    }

    /** {@code exec_mmap}: the task takes the new mm, {@code activate_mm}, the old mm is put. */
    private void execMmap(Task task, MmStruct mm) {
        MmStruct old = task.mm();
        Cpus.Cpu cpu = cpus.current();
        MmStruct active = cpu.activeMm();
        task.setMm(mm);
        pv.activateMm(root(active), mm.pgd());
        fork.mmgrab(mm);
        mmuContext.switchMm(active, mm);
        fork.mmdrop(active);
        if (old != null) {
            fork.mmput(old);
        }
    }

    /** {@code setup_arg_pages} and {@code load_elf_binary}'s mappings. */
    private Outcome setupImage(Task task, MmStruct mm, ExecImage image) {
        long stackTop = Mmap.TASK_SIZE;
        long text = ExecImage.TEXT_START;
        long data = text + pages(image.textPages());
        long bss = data + pages(image.dataPages());
        long brk = bss + pages(image.bssPages());
        mm.mmapSem().writeLock().lock();
        try {
            mm.insert(Vma.of(stackTop - ExecImage.STACK_SIZE, stackTop, Vma.READ | Vma.WRITE | Vma.STACK, 0, 0));
            mm.insert(Vma.of(text, data, Vma.READ | Vma.EXEC, image.fileId(), 0));
            if (image.dataPages() > 0) {
                mm.insert(Vma.of(data, bss, Vma.READ | Vma.WRITE, image.fileId(), image.textPages()));
            }
            if (image.bssPages() > 0) {
                mm.insert(Vma.of(bss, brk, Vma.READ | Vma.WRITE, 0, 0));
            }
            mm.setBrk(brk);
        } finally {
            mm.mmapSem().writeLock().unlock();
        }
        for (int i = 1; i <= image.stackPages(); i++) {
            Outcome o = copyToUser(task.pid(), stackTop - pages(i));
            if (o != Outcome.OK) {
                return o;
            }
        }
        return Outcome.OK;
    }

    private static long pages(long n) {
        return n << PagingMode.PAGE_SHIFT;
    }

    /**
     * {@code mmap}.
     *
     * @param pid    the task
     * @param addr   a fixed address, or 0 to let the kernel choose
     * @param len    length in bytes
     * @param flags  {@link Vma} protection and sharing flags
     * @param fileId backing file, 0 for anonymous memory
     * @param pgoff  file page at the start
     * @return the address mapped, or a negative errno; {@link Integer#MIN_VALUE} if there is no such task
     */
    public long mmap(int pid, long addr, long len, int flags, int fileId, long pgoff) {
        long[] mapped = {Integer.MIN_VALUE};
        withMmapSem(pid, mm -> {
            mapped[0] = mmap.doMmap(mm, addr, len, flags, fileId, pgoff);
            return Outcome.OK;
        });
        return mapped[0];
    }

    /**
     * {@code munmap}.
     *
     * @param pid   the task
     * @param start page-aligned address
     * @param len   length in bytes
     * @return the outcome
     */
    public Outcome munmap(int pid, long start, long len) {
        return withMmapSem(pid, mm -> mmap.doMunmap(mm, start, len) == 0 ? Outcome.OK : Outcome.EFAULT);
    }

    /**
     * {@code mprotect}.
     *
     * @param pid   the task
     * @param start page-aligned address
     * @param len   length in bytes
     * @param flags the new {@link Vma#READ}/{@link Vma#WRITE}/{@link Vma#EXEC} bits
     * @return the outcome
     */
    public Outcome mprotect(int pid, long start, long len, int flags) {
        return withMmapSem(pid, mm -> mmap.mprotect(mm, start, len, flags) == 0 ? Outcome.OK : Outcome.EFAULT);
    }

    /**
     * {@code brk}: grows or shrinks the heap's anonymous vma.
     *
     * @param pid    the task
     * @param newBrk the new end of the heap
     * @return the outcome
     */
    public Outcome brk(int pid, long newBrk) {
        return withMmapSem(pid, mm -> {
            long oldBrk = (mm.brk() + PagingMode.PAGE_SIZE - 1) & ~(PagingMode.PAGE_SIZE - 1L);
            long target = (newBrk + PagingMode.PAGE_SIZE - 1) & ~(PagingMode.PAGE_SIZE - 1L);
            if (target < ExecImage.TEXT_START || target >= Mmap.MMAP_BASE) {
                return Outcome.EFAULT;
            }
            if (target > oldBrk) {
                mmap.doMmap(mm, oldBrk, target - oldBrk, Vma.READ | Vma.WRITE, 0, 0);
            } else if (target < oldBrk) {
                mmap.doMunmap(mm, target, oldBrk - target);
            }
            mm.setBrk(newBrk);
            return Outcome.OK;
        });
    }

    /**
     * Runs a system call that changes a task's mappings: the task becomes current, and the call holds
     * its {@code mmap_sem} for writing.
     *
     * @return {@link Outcome#NO_TASK} if the task does not exist or has no address space
     */
    private Outcome withMmapSem(int pid, java.util.function.Function<MmStruct, Outcome> call) {
        Task task = tasks.get(pid);
        if (task == null || task.mm() == null) {
            return Outcome.NO_TASK;
        }
        switchTo(task);
        MmStruct mm = task.mm();
        mm.mmapSem().writeLock().lock();
        try {
            return call.apply(mm);
        } finally {
            mm.mmapSem().writeLock().unlock();
        }
    }

    /**
     * The task accesses an address in user mode: the vCPU's TLB, else a walk of the tables; a page
     * fault if the page is not mapped for that access, after which the access is retried, as the
     * faulting instruction is. A fault that runs out of memory kills the task; one that finds no vma
     * allowing the access sends it {@code SIGSEGV}, which kills it unless it catches the signal: then it
     * is left in its handler (the access is restarted after {@link #sigreturn}, by whatever the task does
     * next).
     *
     * @param pid     the task
     * @param address a user address
     * @param write   whether the access writes
     * @return {@link Outcome#OK} (the task may be in its {@code SIGSEGV} handler); {@link Outcome#ENOMEM} or
     *         {@link Outcome#EFAULT} when the task was killed
     */
    public Outcome touch(int pid, long address, boolean write) {
        return access(pid, address, write ? Mmu.Access.USER_WRITE : Mmu.Access.USER_READ);
    }

    /**
     * The kernel writes to a task's memory ({@code copy_to_user}, as exec does to the new stack): a
     * supervisor write, which CR0.WP makes obey the pte's RW bit.
     */
    private Outcome copyToUser(int pid, long address) {
        return access(pid, address, Mmu.Access.KERNEL_WRITE);
    }

    /**
     * An access that a fault may end: a user access that {@code bad_area} refused returns to user mode
     * with {@code SIGSEGV} queued, and a task that catches it is left in its handler (see
     * {@link Signals}); any other fault that is not fixed kills the task.
     */
    private Outcome access(int pid, long address, Mmu.Access access) {
        Task task = tasks.get(pid);
        if (task == null || task.mm() == null) {
            return Outcome.NO_TASK;
        }
        long reached = reach(task, address, access);
        if (reached >= 0) {
            return Outcome.OK;
        }
        if (reached == Fault.SIGSEGV && access.user() && kernel.signals().doNotifyResume(task, this::reach)) {
            return Outcome.OK;
        }
        return kill(task, reached == Fault.VM_FAULT_OOM ? Outcome.ENOMEM : Outcome.EFAULT);
    }

    /** The access itself, the task current, under its {@code mmap_sem} for reading as do_page_fault takes it. */
    private long reach(Task task, long address, Mmu.Access access) {
        switchTo(task);
        MmStruct mm = task.mm();
        mm.mmapSem().readLock().lock();
        try {
            return kernel.access().access(mm.pgd(), address, access, kernel.fault()); // faults: do_page_fault
        } finally {
            mm.mmapSem().readLock().unlock();
        }
    }

    private Outcome kill(Task task, Outcome outcome) {
        killed.put(task.pid(), Boolean.TRUE);
        exit(task.pid());
        return outcome;
    }

    /**
     * {@code sigaction(SIGSEGV, handler)}: the task catches {@code SIGSEGV} from now on.
     *
     * @param pid the task
     * @return {@link Outcome#OK} or {@link Outcome#NO_TASK}
     */
    public Outcome sigaction(int pid) {
        Task task = tasks.get(pid);
        if (task == null || task.mm() == null) {
            return Outcome.NO_TASK;
        }
        kernel.signals().sigaction(task);
        return Outcome.OK;
    }

    /**
     * {@code sys_sigreturn}: the task's handler returns through its signal frame to where it faulted. A
     * task with no frame is killed ({@code badframe}).
     *
     * @param pid the task
     * @return {@link Outcome#OK}, {@link Outcome#EFAULT} (killed) or {@link Outcome#NO_TASK}
     */
    public Outcome sigreturn(int pid) {
        Task task = tasks.get(pid);
        if (task == null || task.mm() == null) {
            return Outcome.NO_TASK;
        }
        return kernel.signals().sysSigreturn(task, this::reach) ? Outcome.OK : kill(task, Outcome.EFAULT);
    }

    /**
     * {@code exit}: {@code exit_mm} drops the task's use of its address space; the last user tears it
     * down. The CPU keeps the address space loaded until it switches to another one.
     *
     * @param pid the task
     * @return {@link Outcome#OK} or {@link Outcome#NO_TASK}
     */
    public Outcome exit(int pid) {
        Task task = tasks.remove(pid);
        if (task == null) {
            return Outcome.NO_TASK;
        }
        MmStruct mm = task.mm();
        if (mm != null) {
            switchTo(task);
            task.setMm(null);
            mmuContext.enterLazyTlb(); // exit_mm
            if (bugs.commits(GuestBug.MMDROP_BEFORE_SWITCH)) {
                Variants.mmdropBeforeSwitch(mm, fork::mmput, fork::mmdrop);
            } else {
                fork.mmput(mm); // the CPU's reference for active_mm stays until the switch away
            }
        }
        return Outcome.OK;
    }

    /** Every remaining task exits, in pid order. */
    void exitAll() {
        for (int pid : new TreeMap<>(tasks).keySet()) {
            exit(pid);
        }
    }

    /**
     * Schedules a task on the calling CPU ({@code switch_mm} if its address space is not loaded).
     *
     * @param pid the task
     * @return whether the task exists
     */
    public boolean schedule(int pid) {
        Task task = tasks.get(pid);
        if (task == null) {
            return false;
        }
        switchTo(task);
        return true;
    }

    /**
     * The calling CPU goes idle: it switches to {@code init_mm}, dropping its reference on the address
     * space it had loaded (which frees that root if it was the last reference).
     */
    public void idle() {
        Cpus.Cpu cpu = cpus.current();
        MmStruct active = cpu.activeMm();
        if (active != null) {
            mmuContext.switchMm(active, null);
            fork.mmdrop(active);
        }
    }

    /**
     * A system call's entry, where the CPU takes its pending IPIs, then {@code context_switch}: make a
     * task current on the calling CPU — {@code switch_mm} to its address space, or, for a kernel thread,
     * {@code enter_lazy_tlb} on the one loaded.
     */
    private void switchTo(Task task) {
        smp.interruptsEnabled();
        MmStruct next = task.mm();
        MmStruct prev = cpus.current().activeMm();
        if (next == null) {
            mmuContext.enterLazyTlb(); // a kernel thread borrows the loaded address space
            return;
        }
        if (next == prev) {
            mmuContext.switchMm(prev, next);
            return;
        }
        fork.mmgrab(next);
        mmuContext.switchMm(prev, next);
        fork.mmdrop(prev);
    }

    private long root(MmStruct mm) {
        return mm == null ? kernel.layout().swapperPgDir() : mm.pgd();
    }

    private void ensureNew(int pid) {
        if (tasks.containsKey(pid)) {
            throw new IllegalArgumentException("task " + pid + " already exists");
        }
    }

    /**
     * The task with an id.
     *
     * @param pid an id
     * @return the task, or null
     */
    public Task task(int pid) {
        return tasks.get(pid);
    }

    /** @return the live tasks by id, in id order */
    public Map<Integer, Task> tasks() {
        return new TreeMap<>(tasks);
    }

    /** @return the roots of the live address spaces, each once, in task order */
    public List<Long> liveRoots() {
        List<Long> roots = new ArrayList<>();
        for (Task t : tasks().values()) {
            if (t.mm() != null && !roots.contains(t.mm().pgd())) {
                roots.add(t.mm().pgd());
            }
        }
        return roots;
    }

    /** @return tasks killed by a fault (out of memory or no vma), by id */
    public List<Integer> killedTasks() {
        return new ArrayList<>(killed.keySet());
    }
}
