package io.pvmm.guest.kernel;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.mm.Mmap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Signals as far as they reach the memory manager: a page fault's {@code SIGSEGV} and its delivery to
 * a handler on the task's user stack, from three places in 2.6.21.
 *
 * <ul>
 *   <li>{@code arch/i386/mm/fault.c}: {@code do_page_fault}'s {@code bad_area} path calls
 *       {@code force_sig_info_fault(SIGSEGV, si_code, address, tsk)} for a user-mode access
 *       ({@link #forceSigInfoFault}); {@code kernel/signal.c}'s {@code force_sig_info} queues it on the
 *       current task, and a task that blocks the signal (it is in its handler already) or ignores it
 *       has the action reset to {@code SIG_DFL} first, so it dies.</li>
 *   <li>{@code arch/i386/kernel/signal.c}, on the way back to user mode ({@code do_notify_resume},
 *       {@code do_signal}, {@code handle_signal}): with no handler the default action kills the task;
 *       with one, {@code setup_frame} places a {@code struct sigframe} ({@value #SIGFRAME_BYTES} bytes)
 *       below the user stack pointer ({@code get_sigframe}, aligned so that {@code ((sp + 4) & 15) == 0})
 *       and writes it with {@code __put_user}, {@code setup_sigcontext} and {@code __copy_to_user}:
 *       supervisor stores into the user's stack through the MMU, which CR0.WP makes obey the pte's RW
 *       bit and which demand-fault a page not yet mapped as any store does. The task resumes at its
 *       handler with the signal blocked. A frame that cannot be written is {@code force_sigsegv}: the
 *       task dies.</li>
 *   <li>{@code sys_sigreturn}, the system call the frame's restorer makes when the handler returns
 *       ({@link #sysSigreturn}): {@code restore_sigcontext} reads the frame back (supervisor loads), the
 *       blocked mask is restored, and the task resumes at the instruction that faulted. A task with no
 *       frame to return through gets {@code badframe}: {@code force_sig(SIGSEGV)}.</li>
 * </ul>
 *
 * <p>{@code sizeof(struct sigframe)} on i386: {@code pretcode} and {@code sig} (8 bytes),
 * {@code struct sigcontext} (88), {@code struct _fpstate} (624, the FXSAVE image with its legacy
 * header), {@code extramask} (4) and {@code retcode} (8). The model's tasks run on the top page of their
 * stack; their stack pointer, when a signal comes, is taken as {@link #USER_ESP} (an assumption: the
 * initial stack's arguments and environment above it), so the frame lies in that page.
 */
public final class Signals {

    /** {@code sizeof(struct sigframe)} on i386 in 2.6.21. */
    public static final int SIGFRAME_BYTES = 732;
    /** The user stack pointer when a signal comes: 2 KiB below the top of the stack (assumed). */
    public static final long USER_ESP = Mmap.TASK_SIZE - 0x800;
    /** No frame: the task is not in a handler. */
    static final long NO_FRAME = -1;

    /** A fault's siginfo, queued on the task running on a vCPU until the return to user mode. */
    private record Pending(int siCode, long address) {
    }

    /** The signal path's way into a task's memory: an access through the MMU, page faults handled ({@link Processes}). */
    @FunctionalInterface
    interface UserMemory {
        /**
         * An access to the task's memory, page faults handled.
         *
         * @return the physical address reached, or the fault handler's negative code
         */
        long access(Task task, long address, Mmu.Access access);
    }

    private final Pending[] pending;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder sigreturns = new LongAdder();

    Signals(int vcpus) {
        this.pending = new Pending[vcpus];
    }

    /**
     * {@code force_sig_info_fault(SIGSEGV, si_code, address, current)}: the signal is queued on the task
     * running on the calling vCPU, delivered when it returns to user mode.
     *
     * @param siCode  {@code SEGV_MAPERR} (no vma) or {@code SEGV_ACCERR} (the vma forbids the access)
     * @param address the faulting address, {@code si_addr}
     */
    public void forceSigInfoFault(int siCode, long address) {
        pending[VcpuThread.currentId()] = new Pending(siCode, address);
    }

    /**
     * {@code sigaction(SIGSEGV, handler)}: the task catches {@code SIGSEGV}; the handler stays installed
     * (no {@code SA_RESETHAND}), as lmbench's {@code lat_sig} installs it.
     *
     * @param task the task
     */
    void sigaction(Task task) {
        task.setCatchesSegv(true);
    }

    /**
     * {@code do_notify_resume}: the return to user mode after a fault that queued {@code SIGSEGV}. With
     * a handler and the signal not blocked, {@code setup_frame} writes the frame and the task is left
     * in its handler; otherwise the default action is taken.
     *
     * @param task   the task that faulted (current on the calling vCPU)
     * @param memory its memory
     * @return true when the handler was entered; false when the task must die (the default action,
     *         or a frame that could not be written)
     */
    boolean doNotifyResume(Task task, UserMemory memory) {
        Pending p = pending[VcpuThread.currentId()];
        pending[VcpuThread.currentId()] = null;
        if (p == null || !task.catchesSegv() || task.sigframe() != NO_FRAME) {
            return false; // SIG_DFL, or force_sig_info found SIGSEGV blocked: reset to SIG_DFL, the task dies
        }
        long frame = getSigframe(USER_ESP);
        if (!touchFrame(task, frame, Mmu.Access.KERNEL_WRITE, memory)) {
            return false; // give_sigsegv: force_sigsegv
        }
        task.setSigframe(frame);
        delivered.increment();
        return true;
    }

    /**
     * {@code sys_sigreturn}: the handler returned through the frame's restorer; the frame is read back
     * and the task resumes where it faulted.
     *
     * @param task   the task
     * @param memory its memory
     * @return true when the task returned; false for {@code badframe} (no frame, or one that cannot be
     *         read): the task must die
     */
    boolean sysSigreturn(Task task, UserMemory memory) {
        long frame = task.sigframe();
        if (frame == NO_FRAME || !touchFrame(task, frame, Mmu.Access.KERNEL_READ, memory)) {
            return false;
        }
        task.setSigframe(NO_FRAME);
        sigreturns.increment();
        return true;
    }

    /**
     * {@code get_sigframe}: the frame below the stack pointer, aligned as the i386 ABI wants a function's
     * entry ({@code ((sp + 4) & 15) == 0}).
     *
     * @param esp the user stack pointer
     * @return the frame's address
     */
    static long getSigframe(long esp) {
        long sp = esp - SIGFRAME_BYTES;
        return ((sp + 4) & -16L) - 4;
    }

    /** Every page of the frame, accessed once: the frame's stores or loads reach each page it spans. */
    private static boolean touchFrame(Task task, long frame, Mmu.Access access, UserMemory memory) {
        long last = (frame + SIGFRAME_BYTES - 1) & ~(PagingMode.PAGE_SIZE - 1L);
        for (long page = frame & ~(PagingMode.PAGE_SIZE - 1L); page <= last; page += PagingMode.PAGE_SIZE) {
            if (memory.access(task, Math.max(page, frame), access) < 0) {
                return false;
            }
        }
        return true;
    }

    /** @return signals delivered to a handler ({@code setup_frame} completed) */
    public long delivered() {
        return delivered.sum();
    }

    /** @return {@code sys_sigreturn}s that returned a task to where it faulted */
    public long sigreturns() {
        return sigreturns.sum();
    }
}
