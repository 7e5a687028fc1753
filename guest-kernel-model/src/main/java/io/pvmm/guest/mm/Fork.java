package io.pvmm.guest.mm;

import io.pvmm.guest.arch.Paravirt;
import io.pvmm.guest.arch.PgTable;
import io.pvmm.guest.arch.Smp;
import io.pvmm.guest.memory.FreePool;

/**
 * The address-space half of {@code kernel/fork.c}: {@code dup_mm} (a new root from {@code pgd_alloc},
 * every vma and its ptes copied, then {@code arch_dup_mmap}), {@code mmput} (the last user tears the
 * address space down with {@code exit_mmap}) and {@code mmdrop} (the last reference frees the root
 * with {@code pgd_free}).
 */
public final class Fork {

    private final Paravirt pv;
    private final PgTable pgTable;
    private final CopyPageRange copyPageRange;
    private final Mmap mmap;
    private final Smp smp;

    /**
     * Creates the fork code.
     *
     * @param pv            paravirt wrappers
     * @param pgTable       {@code pgd_alloc}/{@code pgd_free}
     * @param copyPageRange {@code copy_page_range}
     * @param mmap          {@code exit_mmap}
     * @param smp           the TLB flush ({@code flush_tlb_mm}) and the APICs an mm's locks wait with
     */
    public Fork(Paravirt pv, PgTable pgTable, CopyPageRange copyPageRange, Mmap mmap, Smp smp) {
        this.pv = pv;
        this.pgTable = pgTable;
        this.copyPageRange = copyPageRange;
        this.mmap = mmap;
        this.smp = smp;
    }

    /**
     * {@code mm_alloc}: an empty address space with a new root.
     *
     * @return the address space, or null if {@code pgd_alloc} failed
     */
    public MmStruct mmAlloc() {
        long pgd = pgTable.pgdAlloc();
        return pgd == FreePool.NO_FRAME ? null : new MmStruct(pgd, smp.apic());
    }

    /**
     * {@code dup_mm}: the child's copy of the parent's address space.
     *
     * @param oldmm the parent's address space
     * @return the child's, or null on {@code -ENOMEM} (the partial copy is torn down)
     */
    public MmStruct dupMm(MmStruct oldmm) {
        MmStruct mm = mmAlloc();
        if (mm == null) {
            return null;
        }
        int retval = 0;
        oldmm.mmapSem().writeLock().lock();
        mm.mmapSem().writeLock().lock();
        try {
            mm.setBrk(oldmm.brk());
            for (Vma vma : oldmm.vmaList()) {
                mm.insert(vma.forChild());
                retval = copyPageRange.copyPageRange(mm, oldmm, vma);
                if (retval != 0) {
                    break;
                }
            }
            if (retval == 0) {
                /* a new mm has just been created */
                pv.dupMmap(oldmm.pgd(), mm.pgd());
            }
        } finally {
            mm.mmapSem().writeLock().unlock();
            smp.flushTlbMm(oldmm); // its ptes were write-protected
            oldmm.mmapSem().writeLock().unlock();
        }
        if (retval != 0) {
            mmput(mm);
            return null;
        }
        return mm;
    }

    /**
     * {@code mmput}: drops a user; the last one tears the address space down.
     *
     * @param mm the address space
     */
    public void mmput(MmStruct mm) {
        if (mm.users().decrementAndGet() == 0) {
            mm.mmapSem().writeLock().lock();
            try {
                mmap.exitMmap(mm);
            } finally {
                mm.mmapSem().writeLock().unlock();
            }
            mmdrop(mm);
        }
    }

    /**
     * {@code mmdrop}: drops a reference; the last one frees the root ({@code __mmdrop} →
     * {@code mm_free_pgd} → {@code pgd_free}).
     *
     * @param mm the address space, or null for {@code init_mm}, which is never dropped
     */
    public void mmdrop(MmStruct mm) {
        if (mm != null && mm.count().decrementAndGet() == 0) {
            pgTable.pgdFree(mm.pgd());
        }
    }

    /**
     * {@code atomic_inc(&mm->mm_count)}: a CPU or task takes a reference.
     *
     * @param mm the address space, or null for {@code init_mm}
     */
    public void mmgrab(MmStruct mm) {
        if (mm != null) {
            mm.count().incrementAndGet();
        }
    }
}
