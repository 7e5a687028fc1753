package io.pvmm.guest.arch;

import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.hw.TlbGeometry;
import io.pvmm.guest.hw.Tlbs;
import io.pvmm.guest.hw.PhysicalMemory;
import io.pvmm.guest.hw.StoreTraps;
import java.util.Objects;

/**
 * The kernel's {@code paravirt_*} wrappers: every call the model makes on the backend goes through
 * here, named as in {@code include/asm-i386/paravirt.h} and {@code pgalloc.h}.
 *
 * <p>{@link #CONFIG_PARAVIRT} is the model's {@code CONFIG_PARAVIRT}. When it is false (system
 * property {@code pvmm.paravirt=false}, used only by the benchmarks that measure the hooks' cost) the
 * hooks compile to nothing and the writes to plain stores, exactly as the {@code #else} branch of
 * {@code pgalloc.h} defines {@code paravirt_alloc_pt(pfn)} as {@code do { } while (0)}. The switch is
 * a {@code static final} constant, so the JIT folds the branch away.
 *
 * <p>The TLB flushes and the CR3 write are instructions before they are hooks: after the backend's
 * hook (or without it, when paravirt is compiled out) the calling vCPU's own TLB ({@link Tlbs}) is
 * flushed as the hardware would.
 *
 * <p>The wrappers are those of the kernel the guest runs ({@link KernelVersion}). 2.6.21's
 * {@code struct paravirt_ops} has no {@code activate_mm}, {@code dup_mmap}, {@code exit_mmap},
 * {@code pagetable_setup_start} or {@code pagetable_setup_done}: under it {@link #activateMm},
 * {@link #dupMmap}, {@link #exitMmap}, {@link #pagetableSetupStart} and {@link #pagetableSetupDone}
 * call nothing, as {@code activate_mm} there is {@code switch_mm} alone ({@code mmu_context.h}) and
 * {@code kernel/fork.c}, {@code mm/mmap.c} and {@code arch/i386/mm/init.c} have no such call; 2.6.23
 * added all five ({@code paravirt.h}: {@code paravirt_activate_mm}, {@code arch_dup_mmap},
 * {@code arch_exit_mmap}, {@code paravirt_pagetable_setup_start}/{@code _done}). In both kernels
 * {@code set_pte_atomic}, {@code pte_clear} and {@code pmd_clear} are {@code paravirt_ops} members only
 * under {@code CONFIG_X86_PAE}; a 2-level guest reaches them through {@code pgtable-2level.h}'s macros
 * {@code set_pte_atomic(pteptr, pteval) set_pte(pteptr, pteval)},
 * {@code pte_clear(mm, addr, xp) set_pte_at(mm, addr, xp, __pte(0))} and
 * {@code pmd_clear(xp) set_pmd(xp, __pmd(0))}, so the backend sees {@link #setPte},
 * {@link #setPteAt} and {@link #setPmd} with 0.
 *
 * <p>Every write is a store into guest memory, so after it the hardware's write protection is checked
 * ({@link StoreTraps#entryStored}): a store into a frame a backend protected traps to it. Until some
 * frame is protected that check is one field read.
 */
public final class Paravirt {

    /** {@code CONFIG_PARAVIRT}; true unless the JVM runs with {@code -Dpvmm.paravirt=false}. */
    public static final boolean CONFIG_PARAVIRT = !"false".equals(System.getProperty("pvmm.paravirt"));

    private final ParavirtOps ops;
    private final KernelVersion kernel;
    private final boolean pae;
    private final boolean addressSpaceHooks;
    private final PhysicalMemory memory;
    private final Tlbs tlbs;
    private final StoreTraps traps;

    /**
     * Binds the wrappers to a backend, with one TLB of its own (for tests of the kernel code alone).
     *
     * @param ops    the backend
     * @param memory the guest's memory, for the native stores when paravirt is compiled out
     */
    public Paravirt(ParavirtOps ops, PhysicalMemory memory) {
        this(ops, memory, new Tlbs(1, TlbGeometry.CORE2, memory.mode(), false, () -> 0));
    }

    /**
     * Binds the wrappers of kernel 2.6.21 to a backend and to the vCPUs' TLBs.
     *
     * @param ops    the backend
     * @param memory the guest's memory, for the native stores when paravirt is compiled out
     * @param tlbs   the vCPUs' TLBs, which the flushes and CR3 writes reach
     */
    public Paravirt(ParavirtOps ops, PhysicalMemory memory, Tlbs tlbs) {
        this(ops, memory, tlbs, KernelVersion.OLDEST);
    }

    /**
     * Binds the wrappers to a backend and to the vCPUs' TLBs.
     *
     * @param ops    the backend
     * @param memory the guest's memory, for the native stores when paravirt is compiled out
     * @param tlbs   the vCPUs' TLBs, which the flushes and CR3 writes reach
     * @param kernel the kernel whose {@code paravirt_ops} the guest calls
     */
    public Paravirt(ParavirtOps ops, PhysicalMemory memory, Tlbs tlbs, KernelVersion kernel) {
        this.ops = Objects.requireNonNull(ops, "ops");
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.addressSpaceHooks = kernel.hasAddressSpaceHooks();
        this.pae = memory.mode() == PagingMode.PAE;
        this.memory = Objects.requireNonNull(memory, "memory");
        this.traps = memory.traps();
        this.tlbs = Objects.requireNonNull(tlbs, "tlbs");
    }

    /** @return the vCPUs' TLBs */
    public Tlbs tlbs() {
        return tlbs;
    }

    /** @return the backend */
    public ParavirtOps ops() {
        return ops;
    }

    /** @return the kernel whose {@code paravirt_ops} the guest calls */
    public KernelVersion kernel() {
        return kernel;
    }

    /** @param pfn frame becoming a pte page; {@code paravirt_alloc_pt} */
    public void allocPt(long pfn) {
        if (CONFIG_PARAVIRT) {
            ops.allocPt(pfn);
        }
    }

    /** @param pfn frame becoming a page directory; {@code paravirt_alloc_pd} */
    public void allocPd(long pfn) {
        if (CONFIG_PARAVIRT) {
            ops.allocPd(pfn);
        }
    }

    /**
     * {@code paravirt_alloc_pd_clone}.
     *
     * @param pfn      the new root
     * @param clonePfn {@code swapper_pg_dir}
     * @param start    first cloned entry
     * @param count    entries cloned
     */
    public void allocPdClone(long pfn, long clonePfn, int start, int count) {
        if (CONFIG_PARAVIRT) {
            ops.allocPdClone(pfn, clonePfn, start, count);
        }
    }

    /** @param pfn pte page being released; {@code paravirt_release_pt} */
    public void releasePt(long pfn) {
        if (CONFIG_PARAVIRT) {
            ops.releasePt(pfn);
        }
    }

    /** @param pfn page directory being released; {@code paravirt_release_pd} */
    public void releasePd(long pfn) {
        if (CONFIG_PARAVIRT) {
            ops.releasePd(pfn);
        }
    }

    /**
     * {@code make_pte}/{@code make_pmd}/{@code make_pgd}, members of 2.6.23's {@code paravirt_ops}; 2.6.21
     * has none and stores the guest's own value.
     *
     * @param value entry with a guest frame number
     * @return the value to store
     */
    public long makeEntry(long value) {
        return CONFIG_PARAVIRT && addressSpaceHooks ? ops.makeEntry(value) : value;
    }

    /**
     * {@code pte_val}/{@code pmd_val}/{@code pgd_val}, members of 2.6.23's {@code paravirt_ops}; 2.6.21
     * reads the entry as stored.
     *
     * @param entry stored value
     * @return entry with a guest frame number
     */
    public long entryValue(long entry) {
        return CONFIG_PARAVIRT && addressSpaceHooks ? ops.entryValue(entry) : entry;
    }

    /**
     * {@code set_pte}.
     *
     * @param pa    entry address
     * @param value stored value
     */
    public void setPte(long pa, long value) {
        if (CONFIG_PARAVIRT) {
            ops.setPte(pa, value);
        } else {
            memory.writeEntry(pa, value);
        }
        traps.entryStored(pa, value);
    }

    /**
     * {@code set_pte_at(mm, addr, ptep, pte)}.
     *
     * @param mmPgdPa the mm's root
     * @param address the mapped address
     * @param pa      entry address
     * @param value   stored value
     */
    public void setPteAt(long mmPgdPa, long address, long pa, long value) {
        if (CONFIG_PARAVIRT) {
            ops.setPteAt(mmPgdPa, address, pa, value);
        } else {
            memory.writeEntry(pa, value);
        }
        traps.entryStored(pa, value);
    }

    /**
     * {@code set_pte_atomic}: a {@code paravirt_ops} member with PAE; in 2-level mode
     * {@code pgtable-2level.h}'s {@code set_pte(pteptr, pteval)}.
     *
     * @param pa    entry address
     * @param value stored value
     */
    public void setPteAtomic(long pa, long value) {
        if (!pae) {
            setPte(pa, value);
            return;
        }
        if (CONFIG_PARAVIRT) {
            ops.setPteAtomic(pa, value);
        } else {
            memory.writeEntry(pa, value);
        }
        traps.entryStored(pa, value);
    }

    /**
     * {@code set_pmd}.
     *
     * @param pa    entry address
     * @param value stored value
     */
    public void setPmd(long pa, long value) {
        if (CONFIG_PARAVIRT) {
            ops.setPmd(pa, value);
        } else {
            memory.writeEntry(pa, value);
        }
        traps.entryStored(pa, value);
    }

    /**
     * {@code set_pgd} ({@code set_pud}), PAE only.
     *
     * @param pa    entry address
     * @param value stored value
     */
    public void setPgd(long pa, long value) {
        if (CONFIG_PARAVIRT) {
            ops.setPgd(pa, value);
        } else {
            memory.writeEntry(pa, value);
        }
        traps.entryStored(pa, value);
    }

    /**
     * {@code pte_clear(mm, addr, ptep)}: a {@code paravirt_ops} member with PAE; in 2-level mode
     * {@code pgtable-2level.h}'s {@code set_pte_at(mm, addr, xp, __pte(0))}.
     *
     * @param mmPgdPa the mm's root
     * @param address the address the pte mapped
     * @param pa      entry address
     */
    public void pteClear(long mmPgdPa, long address, long pa) {
        if (!pae) {
            setPteAt(mmPgdPa, address, pa, 0);
            return;
        }
        if (CONFIG_PARAVIRT) {
            ops.pteClear(mmPgdPa, address, pa);
        } else {
            memory.writeEntry(pa, 0);
        }
        traps.entryStored(pa, 0);
    }

    /**
     * {@code pmd_clear}: a {@code paravirt_ops} member with PAE; in 2-level mode
     * {@code pgtable-2level.h}'s {@code set_pmd(xp, __pmd(0))}.
     *
     * @param pa entry address
     */
    public void pmdClear(long pa) {
        if (!pae) {
            setPmd(pa, 0);
            return;
        }
        if (CONFIG_PARAVIRT) {
            ops.pmdClear(pa);
        } else {
            memory.writeEntry(pa, 0);
        }
        traps.entryStored(pa, 0);
    }

    /**
     * {@code pte_update(mm, addr, ptep)}.
     *
     * @param mmPgdPa the mm's root
     * @param address the mapped address
     * @param pa      entry address, already holding its new value
     */
    public void pteUpdate(long mmPgdPa, long address, long pa) {
        if (CONFIG_PARAVIRT) {
            ops.pteUpdate(mmPgdPa, address, pa);
        }
    }

    /**
     * The write fault a hypervisor sees first.
     *
     * @param pa    entry address
     * @param value the value the guest tried to store
     * @return whether the backend emulated the store
     */
    public boolean writeFault(long pa, long value) {
        return CONFIG_PARAVIRT && ops.writeFault(pa, value);
    }

    /**
     * {@code paravirt_activate_mm(prev, next)}, 2.6.23's first step of {@code activate_mm}; 2.6.21 has
     * none ({@code activate_mm} is {@code switch_mm} alone).
     *
     * @param prevPgdPa the old root
     * @param nextPgdPa the new root
     */
    public void activateMm(long prevPgdPa, long nextPgdPa) {
        if (CONFIG_PARAVIRT && addressSpaceHooks) {
            ops.activateMm(prevPgdPa, nextPgdPa);
        }
    }

    /** @param pgdPa the root now current; {@code write_cr3} */
    public void writeCr3(long pgdPa) {
        if (CONFIG_PARAVIRT) {
            ops.writeCr3(pgdPa);
        }
        tlbs.current().loadCr3(pgdPa);
    }

    /**
     * {@code arch_dup_mmap(oldmm, mm)} (2.6.23; 2.6.21's {@code dup_mmap} has none).
     *
     * @param oldPgdPa the parent's root
     * @param newPgdPa the child's root
     */
    public void dupMmap(long oldPgdPa, long newPgdPa) {
        if (CONFIG_PARAVIRT && addressSpaceHooks) {
            ops.dupMmap(oldPgdPa, newPgdPa);
        }
    }

    /** @param pgdPa root of the mm being torn down; {@code arch_exit_mmap} (2.6.23; 2.6.21's {@code exit_mmap} has none) */
    public void exitMmap(long pgdPa) {
        if (CONFIG_PARAVIRT && addressSpaceHooks) {
            ops.exitMmap(pgdPa);
        }
    }

    /** @param pgdPa {@code swapper_pg_dir}; {@code paravirt_pagetable_setup_start} (2.6.23; not in 2.6.21) */
    public void pagetableSetupStart(long pgdPa) {
        if (CONFIG_PARAVIRT && addressSpaceHooks) {
            ops.pagetableSetupStart(pgdPa);
        }
    }

    /** @param pgdPa {@code swapper_pg_dir}; {@code paravirt_pagetable_setup_done} (2.6.23; not in 2.6.21) */
    public void pagetableSetupDone(long pgdPa) {
        if (CONFIG_PARAVIRT && addressSpaceHooks) {
            ops.pagetableSetupDone(pgdPa);
        }
    }

    /** {@code __flush_tlb()}. */
    public void flushTlbUser() {
        if (CONFIG_PARAVIRT) {
            ops.flushTlbUser();
        }
        tlbs.flushLocal();
    }

    /** {@code __flush_tlb_global()}. */
    public void flushTlbKernel() {
        if (CONFIG_PARAVIRT) {
            ops.flushTlbKernel();
        }
        tlbs.flushLocalGlobal();
    }

    /** @param address the address to flush; {@code __flush_tlb_one} */
    public void flushTlbSingle(long address) {
        if (CONFIG_PARAVIRT) {
            ops.flushTlbSingle(address);
        }
        tlbs.flushLocalOne(address);
    }

    /** {@code arch_enter_lazy_mmu_mode}. */
    public void enterLazyMmu() {
        if (CONFIG_PARAVIRT) {
            ops.enterLazyMmu();
        }
    }

    /** {@code arch_leave_lazy_mmu_mode}. */
    public void leaveLazyMmu() {
        if (CONFIG_PARAVIRT) {
            ops.leaveLazyMmu();
        }
    }
}
