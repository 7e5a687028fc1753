package io.pvmm.tck;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Task;
import io.pvmm.guest.mm.MmStruct;
import io.pvmm.guest.mm.Vma;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What must hold of a guest's page tables at any quiescent point whatever the backend, checked with
 * the independent hardware walker and the guest's own memory, never with the backend's bookkeeping.
 * Each check returns the problems it found in plain words, at most a handful; empty means it holds.
 */
public final class GuestInvariants {

    private static final int MAX_REPORTED = 10;

    private GuestInvariants() {
    }

    /**
     * The direct map: {@code PAGE_OFFSET + (x << 12)} translates to frame {@code x} for every lowmem
     * frame, for the kernel only.
     *
     * @param kernel a quiescent guest
     * @return the problems
     */
    public static List<String> directMap(GuestKernel kernel) {
        GuestLayout layout = kernel.layout();
        List<String> out = new ArrayList<>();
        long[] next = {0};
        kernel.mmu().forEachPage(layout.swapperPgDir(), PagingMode.PAGE_OFFSET, layout.directMapAddress(layout.maxLowPfn()), t -> {
            long expectedPfn = (t.va() - PagingMode.PAGE_OFFSET) >>> PagingMode.PAGE_SHIFT;
            if (t.pfn() != expectedPfn || t.user()) {
                add(out, String.format("direct map 0x%08x translates to pfn 0x%x%s, expected pfn 0x%x for the kernel only",
                        t.va(), t.pfn(), t.user() ? " for user mode" : "", expectedPfn));
            }
            if (expectedPfn != next[0]) {
                add(out, String.format("direct map has no translation from 0x%08x to 0x%08x",
                        layout.directMapAddress(next[0]), t.va()));
            }
            next[0] = expectedPfn + 1;
        });
        if (next[0] != layout.maxLowPfn()) {
            add(out, String.format("direct map stops at pfn 0x%x, lowmem ends at pfn 0x%x", next[0], layout.maxLowPfn()));
        }
        return out;
    }

    /**
     * Every root on {@code pgd_list} holds the kernel's own entries for the direct map: what
     * {@code pgd_ctor} cloned under {@code pgd_lock} and {@code set_pmd_pte} keeps in step. A root
     * that differs missed a kernel mapping change (the clone-outside-lock race).
     *
     * @param kernel a quiescent guest
     * @return the problems
     */
    public static List<String> staleKernelEntries(GuestKernel kernel) {
        List<String> out = new ArrayList<>();
        if (!kernel.pgTable().usesPgdList()) {
            return out;
        }
        GuestLayout layout = kernel.layout();
        PagingMode mode = kernel.mode();
        PageTables tables = kernel.tables();
        long swapper = layout.swapperPgDir();
        long end = layout.directMapAddress(layout.maxLowPfn());
        for (long root : kernel.pgTable().walkableSnapshot()) {
            for (long va = PagingMode.PAGE_OFFSET; va < end; va += mode.pmdSize()) {
                long mine = tables.pmdEntryFor(root, va);
                long kernels = tables.pmdEntryFor(swapper, va);
                if (mine < 0 || kernels < 0) {
                    add(out, String.format("root 0x%x has no kernel pmd for 0x%08x", root, va));
                    continue;
                }
                long a = tables.read(mine);
                long b = tables.read(kernels);
                if (a != b) {
                    add(out, String.format("root 0x%x maps 0x%08x with entry 0x%x, the kernel's is 0x%x (stale kernel entry)",
                            root, va, a, b));
                }
            }
        }
        return out;
    }

    /**
     * Every mapped user page of every live process lies in a vma and is no more permissive than the
     * vma: user-accessible, writable only if the vma is writable, executable only if it is executable
     * (PAE, where NX exists).
     *
     * @param kernel a quiescent guest
     * @return the problems
     */
    public static List<String> userPermissions(GuestKernel kernel) {
        List<String> out = new ArrayList<>();
        Mmu mmu = kernel.mmu();
        Set<MmStruct> seen = new LinkedHashSet<>();
        for (Task task : kernel.processes().tasks().values()) {
            MmStruct mm = task.mm();
            if (mm == null || !seen.add(mm)) {
                continue;
            }
            mmu.forEachPage(mm.pgd(), 0, PagingMode.PAGE_OFFSET, t -> {
                Vma vma = mm.findVma(t.va());
                String where = String.format("process %d 0x%08x", task.pid(), t.va());
                if (vma == null) {
                    add(out, where + " is mapped outside every vma");
                    return;
                }
                if (!t.user()) {
                    add(out, where + " is not reachable from user mode");
                }
                if (t.writable() && (vma.flags() & Vma.WRITE) == 0) {
                    add(out, where + " is writable in a vma without write permission");
                }
                if (kernel.mode() == PagingMode.PAE && t.executable() && (vma.flags() & Vma.EXEC) == 0) {
                    add(out, where + " is executable in a vma without execute permission");
                }
            });
        }
        return out;
    }

    /**
     * The guest honours what the backend requires of its platform: no large page in the kernel's
     * tables without PSE, no global entry without PGE, nothing mapped in the reserved top, and in PAE
     * with an unshared kernel pmd, every live root owning its own.
     *
     * @param kernel   a quiescent guest
     * @param platform what the backend requires
     * @return the problems
     */
    public static List<String> platform(GuestKernel kernel, PlatformRequirements platform) {
        List<String> out = new ArrayList<>();
        PagingMode mode = kernel.mode();
        PageTables tables = kernel.tables();
        long swapper = kernel.layout().swapperPgDir();
        for (long va = PagingMode.PAGE_OFFSET; va < (1L << 32); va += mode.pmdSize()) {
            long pmdPa = tables.pmdEntryFor(swapper, va);
            long pmd = pmdPa < 0 ? 0 : tables.read(pmdPa);
            if (!EntryBits.isPresent(pmd)) {
                continue;
            }
            if (EntryBits.isLarge(pmd)) {
                if (!platform.allowsPse()) {
                    add(out, String.format("0x%08x is mapped with a large page, but the backend forbids PSE", va));
                }
                checkGlobal(platform, pmd, va, out);
                continue;
            }
            for (int i = 0; i < mode.ptrsPerPte(); i++) {
                long pte = tables.read((pmd & mode.frameMask()) + (long) i * mode.entryBytes());
                if (EntryBits.isPresent(pte)) {
                    checkGlobal(platform, pte, va + ((long) i << PagingMode.PAGE_SHIFT), out);
                }
            }
        }
        if (platform.reservedTop() > 0) {
            long hole = (1L << 32) - platform.reservedTop();
            kernel.mmu().forEachPage(swapper, hole, 1L << 32,
                    t -> add(out, String.format("0x%08x is mapped in the hypervisor's reserved top (from 0x%08x)", t.va(), hole)));
        }
        if (mode == PagingMode.PAE && platform.unsharedKernelPmd()) {
            long kernelPmd = tables.read(tables.pgdOffset(swapper, PagingMode.PAGE_OFFSET)) & mode.frameMask();
            for (long root : kernel.processes().liveRoots()) {
                long own = tables.read(tables.pgdOffset(root, PagingMode.PAGE_OFFSET)) & mode.frameMask();
                if (own == kernelPmd) {
                    add(out, String.format("root 0x%x shares the kernel pmd 0x%x, but the backend requires its own", root, own));
                }
            }
        }
        return out;
    }

    private static void checkGlobal(PlatformRequirements platform, long entry, long va, List<String> out) {
        if (!platform.allowsPge() && (entry & EntryBits.GLOBAL) != 0) {
            add(out, String.format("0x%08x is mapped global, but the backend forbids PGE", va));
        }
    }

    private static void add(List<String> out, String s) {
        if (out.size() < MAX_REPORTED) {
            out.add(s);
        }
    }
}
