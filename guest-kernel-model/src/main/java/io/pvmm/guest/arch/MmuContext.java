package io.pvmm.guest.arch;

import io.pvmm.guest.mm.Cpus;
import io.pvmm.guest.mm.MmStruct;
import java.util.Objects;

/**
 * {@code include/asm-i386/mmu_context.h} (2.6.21): {@code switch_mm}, which loads an address space on
 * the calling CPU and keeps {@code mm->cpu_vm_mask} and {@code cpu_tlbstate} right for the TLB-flush
 * IPIs ({@link Smp}), and {@code enter_lazy_tlb}, which marks a CPU that only borrows its
 * {@code active_mm} (a kernel thread runs, or the task is exiting).
 *
 * <p>The order is the one smp.c's comment requires of a thread switch: {@code cpu_clear} from the old
 * mm's mask (no more flush IPIs for it), {@code TLBSTATE_OK}, the new {@code active_mm},
 * {@code cpu_set} in the new mm's mask, then the CR3 write. A switch to the mm already loaded sets
 * {@code TLBSTATE_OK} and, if {@code leave_mm} cleared the CPU from the mask meanwhile, reloads CR3.
 * The {@code TLBSTATE} and the reload are the SMP build's; with one vCPU {@code enter_lazy_tlb} is
 * empty.
 */
public final class MmuContext {

    private final Paravirt pv;
    private final Cpus cpus;
    private final long swapperPgDir;
    private final boolean smp;

    /**
     * Creates the context switch.
     *
     * @param pv           paravirt wrappers (the CR3 write)
     * @param cpus         the CPUs
     * @param swapperPgDir {@code swapper_pg_dir}, the root of {@code init_mm}
     */
    public MmuContext(Paravirt pv, Cpus cpus, long swapperPgDir) {
        this.pv = Objects.requireNonNull(pv, "pv");
        this.cpus = Objects.requireNonNull(cpus, "cpus");
        this.swapperPgDir = swapperPgDir;
        this.smp = cpus.count() > 1;
    }

    /**
     * {@code switch_mm(prev, next, tsk)} on the calling CPU.
     *
     * @param prev the address space loaded now ({@code active_mm}), null for {@code init_mm}
     * @param next the one to load, null for {@code init_mm}
     */
    public void switchMm(MmStruct prev, MmStruct next) {
        Cpus.Cpu cpu = cpus.current();
        int c = cpu.id();
        if (prev != next) {
            if (prev != null) {
                prev.cpuClear(c); // stop flush ipis for the previous mm
            }
            cpu.setTlbState(Cpus.TlbState.OK);
            cpu.setActiveMm(next);
            if (next != null) {
                next.cpuSet(c);
            }
            pv.writeCr3(next == null ? swapperPgDir : next.pgd()); // load_cr3(next->pgd)
        } else if (smp) {
            cpu.setTlbState(Cpus.TlbState.OK);
            if (next != null && !next.cpuTestAndSet(c)) {
                pv.writeCr3(next.pgd()); // leave_mm disabled flush IPIs for it: reload %cr3
            }
        }
    }

    /** {@code enter_lazy_tlb(mm, tsk)}: the calling CPU keeps its {@code active_mm} but runs no task of it. */
    public void enterLazyTlb() {
        Cpus.Cpu cpu = cpus.current();
        if (smp && cpu.tlbState() == Cpus.TlbState.OK) {
            cpu.setTlbState(Cpus.TlbState.LAZY);
        }
    }
}
