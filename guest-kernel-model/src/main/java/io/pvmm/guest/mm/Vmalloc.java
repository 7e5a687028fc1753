package io.pvmm.guest.mm;

import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.Fault;
import io.pvmm.guest.arch.KernelProt;
import io.pvmm.guest.arch.KernelStore;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.arch.Paravirt;
import io.pvmm.guest.arch.Smp;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.hw.LinearAccess;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.Gfp;
import io.pvmm.guest.memory.KernelOops;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code mm/vmalloc.c}: virtually contiguous kernel memory in {@code [VMALLOC_START, VMALLOC_END)}.
 * Mapping an area allocates kernel pte pages on demand in {@code swapper_pg_dir}
 * ({@code pte_alloc_kernel} → {@code pmd_populate_kernel}, {@code alloc_pt} first) and stores each pte
 * with {@code set_pte_at(&init_mm, ...)}; unmapping clears them with {@code ptep_get_and_clear} and
 * flushes the kernel TLB. Kernel pte pages are never freed. Other roots learn of a new kernel pmd
 * lazily, through a vmalloc fault, or through {@code vmalloc_sync_all}.
 */
public final class Vmalloc {

    /** {@code -ENOMEM}. */
    public static final int ENOMEM = -12;

    private final GuestLayout layout;
    private final Paravirt pv;
    private final PageTables tables;
    private final KernelStore store;
    private final PteAlloc pteAlloc;
    private final FreePool pool;
    private final Fault fault;
    private final LinearAccess access;
    private final KernelProt prot;
    private final Smp smp;
    private final TreeMap<Long, long[]> areas = new TreeMap<>();

    /**
     * Creates the vmalloc code.
     *
     * @param layout   the guest's layout
     * @param pv       paravirt wrappers
     * @param tables   page-table accessors
     * @param store    the kernel's direct stores
     * @param pteAlloc {@code __pte_alloc_kernel}
     * @param pool     the page allocator
     * @param fault    vmalloc faults
     * @param prot     the kernel's protections
     * @param access   the vCPUs' access path to linear addresses
     * @param smp      {@code flush_tlb_kernel_range}
     */
    public Vmalloc(GuestLayout layout, Paravirt pv, PageTables tables, KernelStore store, PteAlloc pteAlloc, FreePool pool,
                   Fault fault, KernelProt prot, LinearAccess access, Smp smp) {
        this.access = access;
        this.smp = smp;
        this.layout = layout;
        this.pv = pv;
        this.tables = tables;
        this.store = store;
        this.pteAlloc = pteAlloc;
        this.pool = pool;
        this.fault = fault;
        this.prot = prot;
    }

    /**
     * {@code vmalloc(size)}: pages, an area with a guard page, and the mapping.
     *
     * @param npages how many pages
     * @return the area's address, or {@link #ENOMEM}
     */
    public long vmalloc(int npages) {
        long[] pfns = new long[npages];
        for (int i = 0; i < npages; i++) {
            pfns[i] = pool.alloc(Gfp.HIGHUSER);
            if (pfns[i] == FreePool.NO_FRAME) {
                for (int j = 0; j < i; j++) {
                    pool.free(pfns[j]);
                }
                return ENOMEM;
            }
        }
        long addr = reserve(npages, pfns);
        if (addr < 0) {
            for (long pfn : pfns) {
                pool.free(pfn);
            }
            return ENOMEM;
        }
        for (int i = 0; i < npages; i++) {
            long a = addr + (long) i * PagingMode.PAGE_SIZE;
            long pmdPa = tables.pmdEntryFor(layout.swapperPgDir(), a);
            if (PageTables.pmdNone(tables.read(pmdPa)) && pteAlloc.pteAllocKernel(pmdPa) != 0) {
                vfree(addr, i); // unmap what was mapped
                return ENOMEM;
            }
            long ptePa = tables.pteOffset(tables.read(pmdPa), a);
            pv.setPteAt(layout.swapperPgDir(), a, ptePa, tables.makeEntry(pfns[i], prot.kernel()));
        }
        return addr;
    }

    private synchronized long reserve(int npages, long[] pfns) {
        long size = (long) (npages + 1) * PagingMode.PAGE_SIZE; // a guard page after each area
        long candidate = layout.vmallocStart();
        for (Map.Entry<Long, long[]> e : areas.entrySet()) {
            if (candidate + size <= e.getKey()) {
                break;
            }
            candidate = e.getKey() + (long) (e.getValue().length + 1) * PagingMode.PAGE_SIZE;
        }
        if (candidate + size > layout.vmallocEnd()) {
            return -1;
        }
        areas.put(candidate, pfns);
        return candidate;
    }

    /**
     * {@code vfree(addr)}: unmaps the area, flushes the kernel TLB, frees the pages.
     *
     * @param addr an address {@link #vmalloc} returned
     */
    public void vfree(long addr) {
        long[] pfns;
        synchronized (this) {
            pfns = areas.get(addr);
        }
        if (pfns == null) {
            throw new KernelOops(String.format("vfree: 0x%08x is not a vmalloc area", addr));
        }
        vfree(addr, pfns.length);
    }

    private void vfree(long addr, int mapped) {
        long[] pfns;
        synchronized (this) {
            pfns = areas.remove(addr);
        }
        for (int i = 0; i < mapped; i++) {
            long a = addr + (long) i * PagingMode.PAGE_SIZE;
            long pmd = tables.read(tables.pmdEntryFor(layout.swapperPgDir(), a));
            long ptePa = tables.pteOffset(pmd, a);
            store.store(ptePa, 0); // ptep_get_and_clear(&init_mm, addr, pte)
            pv.pteUpdate(layout.swapperPgDir(), a, ptePa);
        }
        smp.flushTlbAll(); // flush_tlb_kernel_range: flush_tlb_all, on every CPU
        for (long pfn : pfns) {
            pool.free(pfn);
        }
    }

    /**
     * The kernel reads every page of an area through the address space loaded on this CPU; a root
     * that lacks the area's kernel pmd takes a vmalloc fault, which copies it from
     * {@code swapper_pg_dir}.
     *
     * @param pgd  the root loaded on this CPU
     * @param addr an area's address
     * @throws KernelOops if a page is not mapped even after the fault
     */
    public void touch(long pgd, long addr) {
        long[] pfns;
        synchronized (this) {
            pfns = areas.get(addr);
        }
        if (pfns == null) {
            throw new KernelOops(String.format("access to 0x%08x, which is not a vmalloc area", addr));
        }
        for (int i = 0; i < pfns.length; i++) {
            long a = addr + (long) i * PagingMode.PAGE_SIZE;
            if (access.access(pgd, a, Mmu.Access.KERNEL_READ, fault) < 0) { // do_page_fault oopses first
                throw new KernelOops(String.format("unable to handle kernel paging request at 0x%08x", a));
            }
        }
    }

    /** @return the areas mapped now, by address */
    public synchronized Map<Long, Integer> areas() {
        Map<Long, Integer> m = new TreeMap<>();
        areas.forEach((a, p) -> m.put(a, p.length));
        return m;
    }
}
