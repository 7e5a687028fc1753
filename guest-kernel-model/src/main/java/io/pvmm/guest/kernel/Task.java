package io.pvmm.guest.kernel;

import io.pvmm.guest.mm.MmStruct;

/**
 * A task ({@code task_struct}), reduced to its address space and its {@code SIGSEGV} disposition: a
 * process or a thread (threads share their process's {@code mm}); a task with no {@code mm} is a kernel
 * thread, as init is before its first {@code exec}.
 */
public final class Task {

    private final int pid;
    private final int tgid;
    private volatile MmStruct mm;
    private volatile boolean catchesSegv;
    private volatile long sigframe = Signals.NO_FRAME;

    /**
     * Creates a task.
     *
     * @param pid  its id
     * @param tgid its thread group (its own pid for a process)
     * @param mm   its address space, or null for a kernel thread
     */
    public Task(int pid, int tgid, MmStruct mm) {
        this.pid = pid;
        this.tgid = tgid;
        this.mm = mm;
    }

    /** @return the task's id */
    public int pid() {
        return pid;
    }

    /** @return the thread group's id */
    public int tgid() {
        return tgid;
    }

    /** @return the address space, or null for a kernel thread */
    public MmStruct mm() {
        return mm;
    }

    void setMm(MmStruct mm) {
        this.mm = mm;
    }

    /** @return whether the task has a handler installed for {@code SIGSEGV} ({@code sigaction}) */
    public boolean catchesSegv() {
        return catchesSegv;
    }

    void setCatchesSegv(boolean catchesSegv) {
        this.catchesSegv = catchesSegv;
    }

    /** @return the signal frame the task's handler runs on ({@code setup_frame}), or -1 outside a handler */
    public long sigframe() {
        return sigframe;
    }

    void setSigframe(long sigframe) {
        this.sigframe = sigframe;
    }

    @Override
    public String toString() {
        return "task " + pid + (pid != tgid ? " (thread of " + tgid + ")" : "");
    }
}
