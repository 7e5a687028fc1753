package io.pvmm.guest.mm;

import io.pvmm.guest.hw.Apic;
import io.pvmm.guest.hw.IrqEnabledLocks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@code struct mm_struct}: an address space — its root ({@code pgd}), its vmas, {@code mmap_sem},
 * {@code page_table_lock}, {@code nr_ptes}, and the two counts: {@code mm_users} (tasks sharing it;
 * at zero the address space is torn down) and {@code mm_count} (references, including the users as
 * one and every CPU that still has it loaded lazily; at zero the root is freed).
 */
public final class MmStruct {

    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final long pgd;
    private final TreeMap<Long, Vma> vmas = new TreeMap<>();
    private final ReentrantReadWriteLock mmapSem;
    private final ReentrantLock pageTableLock;
    private final AtomicInteger users = new AtomicInteger(1);
    private final AtomicInteger count = new AtomicInteger(1);
    private final AtomicLong nrPtes = new AtomicLong();
    private final AtomicLong rss = new AtomicLong();
    /** {@code mm->cpu_vm_mask}: bit n set while CPU n may hold translations of this mm (SMP only). */
    private final AtomicLong cpuVmMask = new AtomicLong();
    private volatile long brk;
    /** {@code mm->mmap_cache}: the vma {@link #findVma} found last; cleared whenever the vmas change. */
    private volatile Vma mmapCache;

    /**
     * Creates an address space around a root from {@code pgd_alloc}.
     *
     * @param pgd the root's physical address
     */
    public MmStruct(long pgd) {
        this.pgd = pgd;
        this.mmapSem = new ReentrantReadWriteLock();
        this.pageTableLock = new ReentrantLock();
    }

    /**
     * Creates an address space whose {@code mmap_sem} and {@code page_table_lock} are waited for with
     * interrupts enabled (an SMP guest's: a vCPU waiting for them takes TLB-flush IPIs).
     *
     * @param pgd  the root's physical address
     * @param apic the APICs the waiting vCPUs take their IPIs from
     */
    public MmStruct(long pgd, Apic apic) {
        this.pgd = pgd;
        this.mmapSem = apic.count() > 1 ? new IrqEnabledLocks.Rwsem(apic) : new ReentrantReadWriteLock();
        this.pageTableLock = apic.count() > 1 ? new IrqEnabledLocks.SpinLock(apic) : new ReentrantLock();
    }

    /** @return {@code mm->cpu_vm_mask}, bit n for CPU n */
    public long cpuVmMask() {
        return cpuVmMask.get();
    }

    /** @param cpu {@code cpu_set(cpu, mm->cpu_vm_mask)} */
    public void cpuSet(int cpu) {
        cpuVmMask.getAndUpdate(m -> m | (1L << cpu));
    }

    /** @param cpu {@code cpu_clear(cpu, mm->cpu_vm_mask)} */
    public void cpuClear(int cpu) {
        cpuVmMask.getAndUpdate(m -> m & ~(1L << cpu));
    }

    /**
     * {@code cpu_test_and_set(cpu, mm->cpu_vm_mask)}.
     *
     * @param cpu the CPU
     * @return whether the bit was set before
     */
    public boolean cpuTestAndSet(int cpu) {
        return (cpuVmMask.getAndUpdate(m -> m | (1L << cpu)) & (1L << cpu)) != 0;
    }

    /** @return a number that names this mm in messages */
    public long id() {
        return id;
    }

    /** @return the root's physical address ({@code __pa(mm->pgd)}) */
    public long pgd() {
        return pgd;
    }

    /** @return {@code mmap_sem} */
    public ReentrantReadWriteLock mmapSem() {
        return mmapSem;
    }

    /** @return {@code page_table_lock} */
    public ReentrantLock pageTableLock() {
        return pageTableLock;
    }

    /** @return {@code mm_users} */
    public AtomicInteger users() {
        return users;
    }

    /** @return {@code mm_count} */
    public AtomicInteger count() {
        return count;
    }

    /** @return {@code nr_ptes}: pte pages linked into this mm */
    public AtomicLong nrPtes() {
        return nrPtes;
    }

    /**
     * {@code file_rss + anon_rss}: the present user ptes of this mm, the zero page's included. Every
     * pte installed counts one (a fault, fork's copy), every present pte zapped takes one away, so it
     * is 0 again once the address space is torn down.
     *
     * @return resident user pages
     */
    public AtomicLong rss() {
        return rss;
    }

    /**
     * {@code find_vma}: the vma containing an address.
     *
     * @param address a user address
     * @return the vma, or null
     */
    public Vma findVma(long address) {
        Vma cached = mmapCache;
        if (cached != null && cached.start() <= address && address < cached.end()) {
            return cached; /* Check the cache first. */
        }
        Map.Entry<Long, Vma> e = vmas.floorEntry(address);
        Vma vma = e != null && address < e.getValue().end() ? e.getValue() : null;
        if (vma != null) {
            mmapCache = vma;
        }
        return vma;
    }

    /**
     * Inserts a vma; the caller holds {@code mmap_sem} for writing and has made room.
     *
     * @param vma the vma
     */
    public void insert(Vma vma) {
        mmapCache = null;
        vmas.put(vma.start(), vma);
    }

    /**
     * Removes the vma that starts at {@code start}.
     *
     * @param start a vma's start
     */
    public void remove(long start) {
        mmapCache = null;
        vmas.remove(start);
    }

    /**
     * The vmas in address order; the caller holds {@code mmap_sem}. Change them only through
     * {@link #insert}, {@link #remove} and {@link #clearVmas}, which keep {@link #findVma}'s cache right.
     *
     * @return the vmas
     */
    public NavigableMap<Long, Vma> vmas() {
        return vmas;
    }

    /** Removes every vma ({@code exit_mmap}); the caller holds {@code mmap_sem} for writing. */
    public void clearVmas() {
        mmapCache = null;
        vmas.clear();
    }

    /** @return a copy of the vma list */
    public List<Vma> vmaList() {
        return new ArrayList<>(vmas.values());
    }

    /** @return the end of the heap ({@code mm->brk}) */
    public long brk() {
        return brk;
    }

    /** @param brk the new end of the heap */
    public void setBrk(long brk) {
        this.brk = brk;
    }

    @Override
    public String toString() {
        return "mm#" + id + "(pgd=0x" + Long.toHexString(pgd) + ")";
    }
}
