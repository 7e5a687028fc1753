package io.pvmm.guest.arch;

import io.pvmm.guest.hw.Apic;
import io.pvmm.guest.hw.IrqEnabledLocks;
import io.pvmm.guest.hw.Tlbs;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.memory.KernelOops;
import io.pvmm.guest.mm.Cpus;
import io.pvmm.guest.mm.MmStruct;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The TLB flushes of {@code include/asm-i386/tlbflush.h} and {@code arch/i386/kernel/smp.c} (2.6.21):
 * {@code flush_tlb_mm}, {@code flush_tlb_page}, {@code flush_tlb_range}, {@code flush_tlb_all}
 * ({@code flush_tlb_kernel_range}), {@code __flush_tlb_all}, and with them the IPIs that carry a flush
 * to the other CPUs: {@code flush_tlb_others} with {@code smp_invalidate_interrupt}, and
 * {@code on_each_cpu} ({@code smp_call_function}) with {@code smp_call_function_interrupt}.
 *
 * <p>With one vCPU this is the UP build ({@code CONFIG_SMP=n}): {@code flush_tlb_mm} is tlbflush.h's
 * inline, a {@code __flush_tlb()} if the mm is {@code current->active_mm}, and {@code flush_tlb_all} is
 * {@code __flush_tlb_all()}; there are no IPIs and no {@code leave_mm}. With more it is the SMP build:
 * the calling CPU flushes itself if it has the mm loaded ({@code local_flush_tlb}, or {@code leave_mm}
 * when it only borrows the mm lazily), and every other CPU in {@code mm->cpu_vm_mask} gets an
 * {@code INVALIDATE_TLB_VECTOR} IPI and does the same on its own vCPU, while the sender, holding
 * {@code tlbstate_lock}, waits until each has cleared itself from {@code flush_cpumask}.
 *
 * <p>A vCPU that is not online ({@link Apic#online}: its thread has ended, or none ran as it yet) is
 * left out of the masks, as {@code cpus_and(cpumask, cpumask, cpu_online_map)} leaves it out; it runs
 * nothing, and its TLB is invalid when it runs again (an INIT clears the TLB).
 *
 * <p>The paravirt hooks a backend sees are the flushes themselves, each on the vCPU that makes it
 * ({@code currentCpu()} is the target for a flush an IPI asked for): the IPI is no paravirt hook in
 * 2.6.21.
 */
public final class Smp {

    /** {@code FLUSH_ALL}: {@code flush_va} for a whole-mm flush. */
    public static final long FLUSH_ALL = 0xffff_ffffL;
    /**
     * How long a sender waits for its IPIs to be taken before the guest stops. The kernel's loop has no
     * bound ("lockup detection does not belong here"); this is the model's own, far above any wait a
     * loaded host causes, so that a vCPU thread that never takes interrupts fails the run instead of
     * hanging it.
     */
    static final long IPI_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Paravirt pv;
    private final Tlbs tlbs;
    private final Cpus cpus;
    private final Apic apic;
    private final long swapperPgDir;
    private final boolean pge;
    private final boolean smp;

    /** {@code tlbstate_lock}: one {@code flush_tlb_others} at a time. */
    private final ReentrantLock tlbstateLock;
    /** {@code flush_cpumask}: the CPUs that have not yet taken the current flush IPI. */
    private final AtomicLong flushCpumask = new AtomicLong();
    private volatile MmStruct flushMm;
    private volatile long flushVa;
    private volatile int flushSender;

    /** {@code call_lock}: one {@code smp_call_function} at a time. */
    private final ReentrantLock callLock;
    private volatile CallData callData;

    /** {@code struct call_data_struct} with {@code wait=1}: the function and the CPUs yet to finish it. */
    private record CallData(Runnable func, AtomicLong unfinished, int sender) {
    }

    /**
     * Wires the flushes to the vCPUs and installs the two IPI handlers ({@code smp_intr_init}).
     *
     * @param pv           paravirt wrappers: the flush hooks and the CR3 write
     * @param cpus         the CPUs' {@code active_mm} and {@code cpu_tlbstate}
     * @param apic         the APICs the IPIs go through
     * @param swapperPgDir {@code swapper_pg_dir}, which {@code leave_mm} loads
     * @param pge          {@code cpu_has_pge}: {@code __flush_tlb_all} is a global flush, else {@code __flush_tlb}
     */
    public Smp(Paravirt pv, Cpus cpus, Apic apic, long swapperPgDir, boolean pge) {
        this.pv = Objects.requireNonNull(pv, "pv");
        this.tlbs = pv.tlbs();
        this.cpus = Objects.requireNonNull(cpus, "cpus");
        this.apic = Objects.requireNonNull(apic, "apic");
        this.swapperPgDir = swapperPgDir;
        this.pge = pge;
        this.smp = cpus.count() > 1;
        this.tlbstateLock = smp ? new IrqEnabledLocks.SpinLock(apic) : new ReentrantLock();
        this.callLock = smp ? new IrqEnabledLocks.SpinLock(apic) : new ReentrantLock();
        if (smp) {
            apic.setIntrGate(Apic.INVALIDATE_TLB_VECTOR, this::smpInvalidateInterrupt);
            apic.setIntrGate(Apic.CALL_FUNCTION_VECTOR, this::smpCallFunctionInterrupt);
        }
    }

    /** @return whether this is the SMP build (more than one vCPU) */
    public boolean smp() {
        return smp;
    }

    /** @return the APICs */
    public Apic apic() {
        return apic;
    }

    /** An interrupt-enabled point of the calling vCPU (a system call's entry or return): it takes its pending IPIs. */
    public void interruptsEnabled() {
        apic.service();
    }

    /**
     * {@code flush_tlb_mm(mm)}.
     *
     * @param mm the address space whose translations go
     */
    public void flushTlbMm(MmStruct mm) {
        flush(mm, FLUSH_ALL);
    }

    /**
     * {@code flush_tlb_page(vma, va)}: {@code __flush_tlb_one(va)} where the mm is loaded.
     *
     * @param mm the vma's address space
     * @param va the page
     */
    public void flushTlbPage(MmStruct mm, long va) {
        flush(mm, va);
    }

    /**
     * {@code flush_tlb_range(vma, start, end)}: on i386 the whole mm, {@code flush_tlb_mm} (SMP), or
     * {@code __flush_tlb()} if the mm is {@code current->active_mm} (UP).
     *
     * @param mm    the vma's address space
     * @param start first address
     * @param end   end address
     */
    public void flushTlbRange(MmStruct mm, long start, long end) {
        flush(mm, FLUSH_ALL);
    }

    private void flush(MmStruct mm, long va) {
        Cpus.Cpu cur = cpus.current();
        if (!smp) {
            if (cur.activeMm() == mm) {
                localFlush(va); // UP: if (mm == current->active_mm) __flush_tlb() / __flush_tlb_one(addr)
            }
            return;
        }
        int self = cur.id();
        long mask = mm.cpuVmMask() & ~(1L << self);
        if (cur.activeMm() == mm) {
            if (cur.tlbState() == Cpus.TlbState.OK) {
                localFlush(va); // current->mm: local_flush_tlb() / __flush_tlb_one(va)
            } else {
                leaveMm(self);
            }
        }
        if (mask != 0) {
            flushTlbOthers(mask, mm, va);
        }
    }

    private void localFlush(long va) {
        if (va == FLUSH_ALL) {
            pv.flushTlbUser();
        } else {
            pv.flushTlbSingle(va);
        }
    }

    /**
     * {@code flush_tlb_others(cpumask, mm, va)}: under {@code tlbstate_lock}, posts the flush, sends
     * {@code INVALIDATE_TLB_VECTOR} to every CPU of the mask and waits until each has taken it.
     */
    private void flushTlbOthers(long cpumask, MmStruct mm, long va) {
        long mask = online(cpumask);
        if (mask == 0) {
            return;
        }
        tlbstateLock.lock();
        try {
            flushMm = mm;
            flushVa = va;
            flushSender = cpus.current().id();
            flushCpumask.getAndUpdate(m -> m | mask);
            for (int c = 0; c < cpus.count(); c++) {
                if ((mask & (1L << c)) != 0) {
                    apic.sendIpi(c, Apic.INVALIDATE_TLB_VECTOR);
                }
            }
            await(flushCpumask, "the TLB-flush IPI");
            flushMm = null;
            flushVa = 0;
        } finally {
            tlbstateLock.unlock();
        }
    }

    /**
     * {@code smp_invalidate_interrupt}, on the vCPU that takes the IPI: if the flush is for the mm it has
     * loaded, flush ({@code TLBSTATE_OK}) or leave it ({@code TLBSTATE_LAZY}); then clear itself from
     * {@code flush_cpumask}.
     */
    private void smpInvalidateInterrupt() {
        Cpus.Cpu cur = cpus.current();
        long bit = 1L << cur.id();
        if ((flushCpumask.get() & bit) == 0) {
            return; // not for this CPU (the kernel's "this was a BUG()")
        }
        if (flushMm == cur.activeMm()) {
            if (cur.tlbState() == Cpus.TlbState.OK) {
                localFlush(flushVa);
            } else {
                leaveMm(cur.id());
            }
            tlbs.current().shootdownTaken();
        }
        int sender = flushSender;
        flushCpumask.getAndUpdate(m -> m & ~bit);
        apic.kick(sender);
    }

    /**
     * {@code leave_mm(cpu)}: a lazy CPU stops taking flush IPIs for the mm it borrows
     * ({@code cpu_clear} from its {@code cpu_vm_mask}) and loads {@code swapper_pg_dir}, since the mm's
     * page tables may be going away.
     */
    private void leaveMm(int cpu) {
        Cpus.Cpu c = cpus.get(cpu);
        if (c.tlbState() == Cpus.TlbState.OK) {
            throw new KernelOops("leave_mm on CPU " + cpu + ", which is in TLBSTATE_OK (arch/i386/kernel/smp.c)");
        }
        if (c.activeMm() != null) {
            c.activeMm().cpuClear(cpu);
        }
        pv.writeCr3(swapperPgDir); // load_cr3(swapper_pg_dir)
    }

    /** {@code __flush_tlb_all()}: {@code __flush_tlb_global()} with PGE, else {@code __flush_tlb()}. */
    public void flushTlbAllLocal() {
        if (pge) {
            pv.flushTlbKernel();
        } else {
            pv.flushTlbUser();
        }
    }

    /**
     * {@code flush_tlb_all} (and {@code flush_tlb_kernel_range}, which is it):
     * {@code on_each_cpu(do_flush_tlb_all)} — each CPU's own {@code __flush_tlb_all}, and a lazy CPU
     * leaves its mm; UP, {@code __flush_tlb_all()}.
     */
    public void flushTlbAll() {
        onEachCpu(this::doFlushTlbAll);
    }

    /** {@code do_flush_tlb_all}, on each CPU. */
    private void doFlushTlbAll() {
        flushTlbAllLocal();
        Cpus.Cpu cur = cpus.current();
        if (smp && cur.tlbState() == Cpus.TlbState.LAZY) {
            leaveMm(cur.id());
        }
    }

    /**
     * {@code on_each_cpu(func, info, retry, wait=1)}: {@code smp_call_function} runs {@code func} on
     * every other online CPU and waits until each has finished it, then the caller runs it itself with
     * interrupts disabled. UP, just the call.
     *
     * @param func what each CPU runs, on its own vCPU
     */
    public void onEachCpu(Runnable func) {
        if (smp) {
            smpCallFunction(func);
        }
        func.run();
    }

    private void smpCallFunction(Runnable func) {
        callLock.lock();
        try {
            int self = cpus.current().id();
            long others = online(((cpus.count() == 64 ? -1L : (1L << cpus.count()) - 1)) & ~(1L << self));
            if (others == 0) {
                return;
            }
            AtomicLong unfinished = new AtomicLong(others);
            callData = new CallData(func, unfinished, self);
            for (int c = 0; c < cpus.count(); c++) {
                if ((others & (1L << c)) != 0) {
                    apic.sendIpi(c, Apic.CALL_FUNCTION_VECTOR);
                }
            }
            await(unfinished, "the call-function IPI");
            callData = null;
        } finally {
            callLock.unlock();
        }
    }

    /** {@code smp_call_function_interrupt}, on the vCPU that takes the IPI. */
    private void smpCallFunctionInterrupt() {
        CallData cd = callData;
        long bit = 1L << cpus.current().id();
        if (cd == null || (cd.unfinished().get() & bit) == 0) {
            return;
        }
        cd.func().run();
        tlbs.current().shootdownTaken();
        cd.unfinished().getAndUpdate(m -> m & ~bit);
        apic.kick(cd.sender());
    }

    /**
     * The sender's {@code cpu_relax()} loop, with interrupts enabled: until every CPU of the mask has
     * cleared itself; a CPU that went offline meanwhile is cleared for it. The NMI watchdog stops a
     * guest that waits {@value #IPI_TIMEOUT_NANOS} ns.
     */
    private void await(AtomicLong mask, String what) {
        boolean done = apic.spinUntil(() -> {
            long m = mask.get();
            if (m != 0) {
                long gone = m & ~online(m);
                if (gone != 0) {
                    mask.getAndUpdate(x -> x & ~gone);
                }
            }
            return mask.get() == 0;
        }, IPI_TIMEOUT_NANOS);
        if (!done) {
            throw new KernelOops(String.format("NMI watchdog: CPU %d waited %d s for %s on CPUs 0x%x; each of them must run"
                    + " on a thread that takes interrupts (a %s that enters the kernel)", cpus.current().id(),
                    TimeUnit.NANOSECONDS.toSeconds(IPI_TIMEOUT_NANOS), what, mask.get(), VcpuThread.class.getSimpleName()));
        }
    }

    /**
     * {@code cpus_and(mask, mask, cpu_online_map)}; a CPU left out has its TLB invalidated, as it will be
     * when it runs again.
     */
    private long online(long mask) {
        long on = mask;
        for (int c = 0; c < cpus.count(); c++) {
            if ((mask & (1L << c)) != 0 && !apic.online(c)) {
                on &= ~(1L << c);
                tlbs.invalidateOffline(c);
            }
        }
        return on;
    }
}
