package io.pvmm.backend.xen.guest;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import io.pvmm.backend.xen.mm.Hypercall;
import io.pvmm.backend.xen.mm.MachineMemory;
import java.util.function.LongConsumer;

/**
 * The guest's view of its direct map and the walks it makes through its own tables: Linux's
 * {@code lookup_address} under {@code swapper_pg_dir}, the {@code update_va_mapping} requests of
 * {@code make_lowmem_page_readonly} and {@code make_lowmem_page_readwrite}
 * ({@code arch/i386/xen/mmu.c}, 2.6.23), and the pte an address resolves to under a root.
 *
 * <p>Entries are read from the guest's memory and followed in guest form ({@code xen_pte_val}).
 * Lowmem has no large pages under Xen, so every direct-map address has a 4 KiB pte once boot has
 * mapped it.
 *
 * <p><b>Threading:</b> reads only; callers hold the domain lock so that the answers stay true while
 * they act on them.
 */
final class LowmemMappings {

    private final GuestLayout layout;
    private final GuestMemory memory;
    private final MachineMemory machine;
    private final PagingMode mode;

    LowmemMappings(GuestLayout layout, MachineMemory machine) {
        this.layout = layout;
        this.memory = machine.guest();
        this.machine = machine;
        this.mode = layout.mode();
    }

    /**
     * {@code lookup_address(__va(pfn << PAGE_SHIFT))}: the kernel pte that maps a lowmem frame.
     *
     * @param pfn a frame
     * @return the pte's physical address, or -1 if the frame is not in lowmem or not mapped yet
     */
    long lookupAddress(long pfn) {
        if (pfn < 0 || pfn >= layout.maxLowPfn()) {
            return -1;
        }
        return pteFor(layout.swapperPgDir(), layout.directMapAddress(pfn));
    }

    /**
     * The pte that maps an address under a root, as the MMU would reach it.
     *
     * @param rootPa the root
     * @param va     the virtual address
     * @return the pte's physical address, or -1 if a level on the way is absent or maps a large page
     */
    long pteFor(long rootPa, long va) {
        long pmdPa = rootPa + (long) mode.pgdIndex(va) * mode.entryBytes();
        if (mode == PagingMode.PAE) {
            long pgd = read(pmdPa);
            if (!EntryBits.isPresent(pgd)) {
                return -1;
            }
            pmdPa = (pgd & mode.frameMask()) + (long) mode.pmdIndex(va) * mode.entryBytes();
        }
        long pmd = read(pmdPa);
        if (!EntryBits.isPresent(pmd) || EntryBits.isLarge(pmd)) {
            return -1;
        }
        return (pmd & mode.frameMask()) + (long) mode.pteIndex(va) * mode.entryBytes();
    }

    /**
     * Whether the direct map maps a frame read-only (highmem and frames not mapped yet count as
     * writable: no kernel store to them would fault).
     *
     * @param pfn a frame
     * @return whether a kernel store to the frame faults
     */
    boolean isReadOnly(long pfn) {
        long pte = lookupAddress(pfn);
        if (pte < 0) {
            return false;
        }
        long e = memory.readEntry(pte);
        return EntryBits.isPresent(e) && !EntryBits.isWritable(e);
    }

    /**
     * The {@code update_va_mapping} that gives a frame's direct-map pte the wanted RW bit:
     * {@code pte_wrprotect(*pte)} or {@code pte_mkwrite(*pte)}.
     *
     * @param pfn      a lowmem frame
     * @param writable the wanted RW bit
     * @return the request, or null if the pte has that bit already or does not exist
     */
    Hypercall.UpdateVaMapping protect(long pfn, boolean writable) {
        long ptePa = lookupAddress(pfn);
        if (ptePa < 0) {
            return null;
        }
        long e = memory.readEntry(ptePa);
        if (!EntryBits.isPresent(e) || EntryBits.isWritable(e) == writable) {
            return null;
        }
        long value = writable ? e | EntryBits.RW : e & ~EntryBits.RW;
        return new Hypercall.UpdateVaMapping(layout.directMapAddress(pfn), value);
    }

    /**
     * Calls {@code action} with every lowmem frame the direct map maps read-only, walking the
     * direct map's pte pages once.
     *
     * @param action receives frame numbers in increasing order
     */
    void forEachReadOnly(LongConsumer action) {
        long perPte = mode.ptrsPerPte();
        for (long first = 0; first < layout.maxLowPfn(); first += perPte) {
            long pte0 = lookupAddress(first);
            if (pte0 < 0) {
                continue;
            }
            for (long pfn = first; pfn < Math.min(first + perPte, layout.maxLowPfn()); pfn++) {
                long e = memory.readEntry(pte0 + (pfn - first) * mode.entryBytes());
                if (EntryBits.isPresent(e) && !EntryBits.isWritable(e)) {
                    action.accept(pfn);
                }
            }
        }
    }

    /**
     * The machine frame a stored entry names, as a guest frame.
     *
     * @param entry a stored entry
     * @return its guest frame, or -1 if it names no frame of the domain
     */
    long entryPfn(long entry) {
        long mfn = machine.entryMfn(entry);
        return machine.owns(mfn) ? machine.m2p(mfn) : -1;
    }

    private long read(long pa) {
        return machine.entryValue(memory.readEntry(pa));
    }
}
