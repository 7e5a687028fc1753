package io.pvmm.guest.arch;

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
 * <p>Every write is a store into guest memory, so after it the hardware's write protection is checked
 * ({@link StoreTraps#entryStored}): a store into a frame a backend protected traps to it. Until some
 * frame is protected that check is one field read.
 */
public final class Paravirt {

    /** {@code CONFIG_PARAVIRT}; true unless the JVM runs with {@code -Dpvmm.paravirt=false}. */
    public static final boolean CONFIG_PARAVIRT = !"false".equals(System.getProperty("pvmm.paravirt"));

    private final ParavirtOps ops;
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
     * Binds the wrappers to a backend and to the vCPUs' TLBs.
     *
     * @param ops    the backend
     * @param memory the guest's memory, for the native stores when paravirt is compiled out
     * @param tlbs   the vCPUs' TLBs, which the flushes and CR3 writes reach
     */
    public Paravirt(ParavirtOps ops, PhysicalMemory memory, Tlbs tlbs) {
        this.ops = Objects.requireNonNull(ops, "ops");
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
     * {@code make_pte}/{@code make_pmd}/{@code make_pgd}.
     *
     * @param value entry with a guest frame number
     * @return the value to store
     */
    public long makeEntry(long value) {
        return CONFIG_PARAVIRT ? ops.makeEntry(value) : value;
    }

    /**
     * {@code pte_val}/{@code pmd_val}/{@code pgd_val}.
     *
     * @param entry stored value
     * @return entry with a guest frame number
     */
    public long entryValue(long entry) {
        return CONFIG_PARAVIRT ? ops.entryValue(entry) : entry;
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
     * {@code set_pte_atomic}.
     *
     * @param pa    entry address
     * @param value stored value
     */
    public void setPteAtomic(long pa, long value) {
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
     * {@code pte_clear(mm, addr, ptep)}.
     *
     * @param mmPgdPa the mm's root
     * @param address the address the pte mapped
     * @param pa      entry address
     */
    public void pteClear(long mmPgdPa, long address, long pa) {
        if (CONFIG_PARAVIRT) {
            ops.pteClear(mmPgdPa, address, pa);
        } else {
            memory.writeEntry(pa, 0);
        }
        traps.entryStored(pa, 0);
    }

    /** @param pa entry address; {@code pmd_clear} */
    public void pmdClear(long pa) {
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
     * {@code activate_mm(prev, next)}.
     *
     * @param prevPgdPa the old root
     * @param nextPgdPa the new root
     */
    public void activateMm(long prevPgdPa, long nextPgdPa) {
        if (CONFIG_PARAVIRT) {
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
     * {@code arch_dup_mmap(oldmm, mm)}.
     *
     * @param oldPgdPa the parent's root
     * @param newPgdPa the child's root
     */
    public void dupMmap(long oldPgdPa, long newPgdPa) {
        if (CONFIG_PARAVIRT) {
            ops.dupMmap(oldPgdPa, newPgdPa);
        }
    }

    /** @param pgdPa root of the mm being torn down; {@code arch_exit_mmap} */
    public void exitMmap(long pgdPa) {
        if (CONFIG_PARAVIRT) {
            ops.exitMmap(pgdPa);
        }
    }

    /** @param pgdPa {@code swapper_pg_dir}; {@code pagetable_setup_start} */
    public void pagetableSetupStart(long pgdPa) {
        if (CONFIG_PARAVIRT) {
            ops.pagetableSetupStart(pgdPa);
        }
    }

    /** @param pgdPa {@code swapper_pg_dir}; {@code pagetable_setup_done} */
    public void pagetableSetupDone(long pgdPa) {
        if (CONFIG_PARAVIRT) {
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
