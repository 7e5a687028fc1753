package io.pvmm.guest.mm;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.Paravirt;
import io.pvmm.guest.arch.Smp;
import io.pvmm.guest.bugs.BugSites;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.PageFrames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code mm/mmap.c} and {@code mm/mprotect.c}, for what touches page tables: mapping creates only a
 * vma (pages come on fault); unmapping splits vmas at the edges, zaps the range and frees the pte
 * pages no remaining vma needs ({@code unmap_region}); mprotect changes the ptes in place; and
 * {@code exit_mmap} tears a whole address space down — {@code arch_exit_mmap} first, then the zap,
 * then {@code free_pgtables}, the pages freed when the gather flushes.
 */
public final class Mmap {

    /** {@code TASK_SIZE}. */
    public static final long TASK_SIZE = PagingMode.PAGE_OFFSET;
    /** Top of the top-down mmap area ({@code mmap_base}: below the stack and its gap). */
    public static final long MMAP_BASE = 0xB7F0_0000L;
    /** {@code -EINVAL}. */
    public static final int EINVAL = -22;

    private final Paravirt pv;
    private final Teardown teardown;
    private final ChangeProtection changeProtection;
    private final FreePool pool;
    private final PageFrames pages;
    private final Cpus cpus;
    private final Smp smp;
    private final BugSites bugs;

    /**
     * Creates the mmap code.
     *
     * @param pv               paravirt wrappers
     * @param teardown         {@code unmap_vmas}, {@code free_pgtables}
     * @param changeProtection {@code change_protection}
     * @param pool             the page allocator
     * @param pages            frame metadata
     * @param cpus             the CPUs (how many are online, for the gather's mode)
     * @param smp              the gather's flush ({@code flush_tlb_mm})
     */
    public Mmap(Paravirt pv, Teardown teardown, ChangeProtection changeProtection, FreePool pool, PageFrames pages,
                Cpus cpus, Smp smp) {
        this(pv, teardown, changeProtection, pool, pages, cpus, smp, BugSites.NONE);
    }

    /**
     * Creates the mmap code of a guest that may commit bugs (its gathers: {@code skip-flush}).
     *
     * @param pv               paravirt wrappers
     * @param teardown         {@code unmap_vmas}, {@code free_pgtables}
     * @param changeProtection {@code change_protection}
     * @param pool             the page allocator
     * @param pages            frame metadata
     * @param cpus             the CPUs (how many are online, for the gather's mode)
     * @param smp              the gather's flush ({@code flush_tlb_mm})
     * @param bugs             the guest bugs it commits
     */
    public Mmap(Paravirt pv, Teardown teardown, ChangeProtection changeProtection, FreePool pool, PageFrames pages,
                Cpus cpus, Smp smp, BugSites bugs) {
        this.bugs = bugs;
        this.smp = smp;
        this.pv = pv;
        this.teardown = teardown;
        this.changeProtection = changeProtection;
        this.pool = pool;
        this.pages = pages;
        this.cpus = cpus;
    }

    /**
     * {@code do_mmap_pgoff} with {@code MAP_FIXED} when {@code addr} is given: any mapping in the way is
     * unmapped first; with {@code addr} 0 the range is found top-down below {@link #MMAP_BASE}.
     *
     * @param mm     the address space; the caller holds {@code mmap_sem} for writing
     * @param addr   page-aligned address, or 0 to let the kernel choose
     * @param len    length, rounded up to pages
     * @param flags  {@link Vma} flags
     * @param fileId backing file, 0 for anonymous
     * @param pgoff  file page at the start
     * @return the mapped address, or {@link #EINVAL} if the range does not fit in user space
     */
    public long doMmap(MmStruct mm, long addr, long len, int flags, int fileId, long pgoff) {
        long size = (len + PagingMode.PAGE_SIZE - 1) & ~(PagingMode.PAGE_SIZE - 1L);
        if (size == 0 || size > TASK_SIZE) {
            return EINVAL;
        }
        if (addr == 0) {
            addr = unmappedArea(mm, size);
            if (addr < 0) {
                return EINVAL;
            }
        }
        if ((addr & (PagingMode.PAGE_SIZE - 1)) != 0 || addr + size > TASK_SIZE) {
            return EINVAL;
        }
        doMunmap(mm, addr, size);
        mm.insert(Vma.of(addr, addr + size, flags, fileId, pgoff));
        return addr;
    }

    private long unmappedArea(MmStruct mm, long size) {
        long top = MMAP_BASE;
        for (Vma vma : mm.vmas().descendingMap().values()) {
            if (vma.start() >= top) {
                continue;
            }
            if (vma.end() + size <= top) {
                return top - size;
            }
            top = Math.min(top, vma.start());
        }
        return top - size >= PagingMode.PAGE_SIZE ? top - size : -1;
    }

    /**
     * {@code do_munmap}: splits the vmas at {@code start} and {@code start + len}, detaches those in
     * between and tears their range down ({@code unmap_region}).
     *
     * @param mm    the address space; the caller holds {@code mmap_sem} for writing
     * @param start page-aligned start
     * @param len   length
     * @return 0, or {@link #EINVAL} for a bad range
     */
    public int doMunmap(MmStruct mm, long start, long len) {
        long end = start + ((len + PagingMode.PAGE_SIZE - 1) & ~(PagingMode.PAGE_SIZE - 1L));
        if ((start & (PagingMode.PAGE_SIZE - 1)) != 0 || end > TASK_SIZE || end <= start) {
            return EINVAL;
        }
        List<Vma> detached = detach(mm, start, end);
        if (detached.isEmpty()) {
            return 0;
        }
        Map.Entry<Long, Vma> prev = mm.vmas().lowerEntry(start);
        Map.Entry<Long, Vma> next = mm.vmas().ceilingEntry(end);
        MmuGather tlb = new MmuGather(smp, pool, pages, cpus, mm, false, bugs);
        teardown.unmapVmas(tlb, mm, detached, start, end);
        teardown.freePgtables(tlb, mm, detached, prev == null ? 0 : prev.getValue().end(),
                next == null ? 0 : next.getValue().start());
        tlb.finish();
        return 0;
    }

    /** Splits at the edges and removes the vmas inside {@code [start, end)}; returns them in order. */
    private List<Vma> detach(MmStruct mm, long start, long end) {
        split(mm, start);
        split(mm, end);
        List<Vma> inside = new ArrayList<>(mm.vmas().subMap(start, true, end, false).values());
        for (Vma vma : inside) {
            mm.remove(vma.start());
        }
        return inside;
    }

    private void split(MmStruct mm, long at) {
        Vma vma = mm.findVma(at);
        if (vma != null && vma.start() < at) {
            mm.remove(vma.start());
            mm.insert(vma.slice(vma.start(), at));
            mm.insert(vma.slice(at, vma.end()));
        }
    }

    /**
     * {@code sys_mprotect}: new protection for every vma in the range, ptes changed in place.
     *
     * @param mm       the address space; the caller holds {@code mmap_sem} for writing
     * @param start    page-aligned start
     * @param len      length
     * @param newFlags the new {@code READ}/{@code WRITE}/{@code EXEC} bits
     * @return 0, or {@link #EINVAL} if part of the range is not mapped
     */
    public int mprotect(MmStruct mm, long start, long len, int newFlags) {
        long end = start + ((len + PagingMode.PAGE_SIZE - 1) & ~(PagingMode.PAGE_SIZE - 1L));
        if ((start & (PagingMode.PAGE_SIZE - 1)) != 0 || end > TASK_SIZE || end <= start) {
            return EINVAL;
        }
        for (long a = start; a < end; ) {
            Vma vma = mm.findVma(a);
            if (vma == null) {
                return EINVAL;
            }
            a = vma.end();
        }
        split(mm, start);
        split(mm, end);
        int protBits = Vma.READ | Vma.WRITE | Vma.EXEC;
        for (Vma vma : new ArrayList<>(mm.vmas().subMap(start, true, end, false).values())) {
            Vma changed = vma.withFlags((vma.flags() & ~protBits) | (newFlags & protBits));
            mm.insert(changed);
            changeProtection.changeProtection(mm, changed.start(), changed.end(), changed.pageProt());
        }
        return 0;
    }

    /**
     * {@code exit_mmap}: the address space's last user is gone. {@code arch_exit_mmap} first (Xen
     * unpins here), then every pte is zapped with a full-mm gather, the pte pages are freed
     * ({@code pmd_clear}, {@code release_pt}, gathered), and the gather flushes.
     *
     * @param mm the address space
     */
    public void exitMmap(MmStruct mm) {
        pv.exitMmap(mm.pgd());
        MmuGather tlb = new MmuGather(smp, pool, pages, cpus, mm, true, bugs);
        List<Vma> vmas = mm.vmaList();
        teardown.unmapVmas(tlb, mm, vmas, 0, TASK_SIZE);
        teardown.freePgtables(tlb, mm, vmas, 0, 0);
        tlb.finish();
        mm.clearVmas();
    }
}
