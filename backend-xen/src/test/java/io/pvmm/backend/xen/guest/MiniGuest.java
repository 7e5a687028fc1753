package io.pvmm.backend.xen.guest;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.backend.xen.MapMemory;
import io.pvmm.backend.xen.TestContext;
import io.pvmm.backend.xen.mm.Hypervisor;
import java.util.Map;

/**
 * A guest of {@value #FRAMES} frames (4 MiB, all lowmem), booted by hand through the port's hooks the
 * way {@code pagetable_init} does it — swapper announced, a direct map of 4 KiB ptes, the kernel root
 * pinned — with helpers that build user address spaces as the kernel would. The page allocator is a
 * bump pointer over a map-backed free pool.
 */
final class MiniGuest {

    static final int FRAMES = 1024;
    static final long SWAPPER_PFN = TestContext.SWAPPER_PFN;
    static final long ZERO_PFN = 2;

    final PagingMode mode;
    final TestContext context;
    final MapMemory memory;
    final XenOps ops;
    final long swapper = SWAPPER_PFN << PagingMode.PAGE_SHIFT;
    private long next = 3;

    MiniGuest(PagingMode mode) {
        this(mode, 1, Map.of());
    }

    MiniGuest(PagingMode mode, int vcpus, Map<String, String> settings) {
        this.mode = mode;
        this.context = new TestContext(mode, FRAMES, vcpus, settings);
        this.memory = context.mapMemory();
        this.ops = new XenOps(context, 5, !"false".equals(settings.get("lazy-batching")));
        for (long pfn = 16; pfn < FRAMES; pfn++) {
            memory.setFree(pfn, true);
        }
    }

    /** {@code paging_init} as the model runs it: setup start, the direct map, setup done, {@code load_cr3}. */
    MiniGuest boot() {
        ops.pagetableSetupStart(swapper);
        long kernelTable;
        if (mode == PagingMode.PAE) {
            for (int i = 0; i < 4; i++) {
                ops.setPgd(swapper + i * 8L, ops.makeEntry((ZERO_PFN << 12) | EntryBits.PRESENT));
            }
            long kpmd = bootAlloc();
            ops.allocPd(kpmd);
            ops.setPgd(swapper + 24, ops.makeEntry((kpmd << 12) | EntryBits.PRESENT));
            kernelTable = kpmd << 12;
        } else {
            ops.allocPd(SWAPPER_PFN);
            kernelTable = swapper + 768 * 4;
        }
        for (long pfn = 0; pfn < FRAMES; pfn += mode.ptrsPerPte()) {
            long pte = bootAlloc();
            ops.allocPt(pte);
            long pmdPa = kernelTable + (pfn / mode.ptrsPerPte()) * mode.entryBytes();
            ops.setPmd(pmdPa, entry(pte, EntryBits.PAGE_TABLE));
            for (int i = 0; i < mode.ptrsPerPte(); i++) {
                ops.setPte((pte << 12) + (long) i * mode.entryBytes(), entry(pfn + i, EntryBits.PAGE_KERNEL_EXEC));
            }
        }
        ops.pagetableSetupDone(swapper);
        ops.writeCr3(swapper);
        return this;
    }

    private long bootAlloc() {
        return next++;
    }

    /** The page allocator: a zeroed frame out of the free pool. */
    long alloc() {
        for (long pfn = 16; pfn < FRAMES; pfn++) {
            if (memory.isFree(pfn)) {
                memory.setFree(pfn, false);
                memory.clearFrame(pfn);
                return pfn;
            }
        }
        throw new IllegalStateException("out of frames");
    }

    void free(long pfn) {
        memory.setFree(pfn, true);
    }

    long entry(long pfn, long flags) {
        return ops.makeEntry(mode.makeEntry(pfn, flags));
    }

    /** {@code pgd_alloc} with {@code pgd_ctor}: a root whose kernel half is swapper's, announced. */
    long newRoot() {
        long root = alloc();
        long rootPa = root << 12;
        if (mode == PagingMode.PAE) {
            for (int i = 0; i < 3; i++) {
                long pmd = alloc();
                ops.allocPd(pmd);
                ops.setPgd(rootPa + i * 8L, entry(pmd, EntryBits.PRESENT));
            }
            long kpmd = alloc();
            long swapperKpmd = (ops.entryValue(memory.readEntry(swapper + 24)) & mode.frameMask()) >>> 12;
            for (int i = 0; i < 512; i++) {
                memory.writeEntry(kpmd, i, memory.readEntry(swapperKpmd, i));
            }
            ops.allocPd(kpmd);
            ops.setPgd(rootPa + 24, entry(kpmd, EntryBits.PRESENT));
        } else {
            for (int i = 768; i < 1024; i++) {
                memory.writeEntry(root, i, memory.readEntry(SWAPPER_PFN, i));
            }
            ops.allocPdClone(root, SWAPPER_PFN, 768, 256);
        }
        return rootPa;
    }

    /** The pmd entry that maps {@code va} under a root. */
    long pmdEntry(long rootPa, long va) {
        if (mode == PagingMode.PAE) {
            long pgd = ops.entryValue(memory.readEntry(rootPa + (long) mode.pgdIndex(va) * 8));
            return (pgd & mode.frameMask()) + (long) mode.pmdIndex(va) * 8;
        }
        return rootPa + (long) mode.pgdIndex(va) * 4;
    }

    /** {@code __pte_alloc}: a zeroed pte page, announced, then linked. */
    long ptePage(long rootPa, long va) {
        long pte = alloc();
        ops.allocPt(pte);
        ops.setPmd(pmdEntry(rootPa, va), entry(pte, EntryBits.PAGE_TABLE));
        return pte;
    }

    /** The pte that maps {@code va} under a root (its pte page must exist). */
    long ptePa(long rootPa, long va) {
        long pmd = ops.entryValue(memory.readEntry(pmdEntry(rootPa, va)));
        return (pmd & mode.frameMask()) + (long) mode.pteIndex(va) * mode.entryBytes();
    }

    /** {@code set_pte_at(mm, va, ptep, pfn_pte(pfn, flags))}. */
    void map(long rootPa, long va, long pfn, long flags) {
        ops.setPteAt(rootPa, va, ptePa(rootPa, va), entry(pfn, flags));
    }

    /** The guest frame a pte maps now, or -1. */
    long mapped(long rootPa, long va) {
        long e = ops.entryValue(memory.readEntry(ptePa(rootPa, va)));
        return EntryBits.isPresent(e) ? (e & mode.frameMask()) >>> 12 : -1;
    }

    boolean directMapWritable(long pfn) {
        long l1 = (ops.entryValue(memory.readEntry(pmdEntry(swapper, 0xC0000000L + (pfn << 12)))) & mode.frameMask());
        long pte = memory.readEntry(l1 + (long) mode.pteIndex(0xC0000000L + (pfn << 12)) * mode.entryBytes());
        return EntryBits.isWritable(pte);
    }

    Hypervisor hv() {
        return ops.hypervisor();
    }

    long mfn(long pfn) {
        return hv().machine().p2m(pfn);
    }

    long counter(String name) {
        return ops.counters().get(name);
    }
}
