package io.pvmm.backend.xen.guest;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import io.pvmm.backend.xen.mm.Hypercall;
import io.pvmm.backend.xen.mm.Hypervisor;
import io.pvmm.backend.xen.mm.MachineMemory;
import io.pvmm.backend.xen.mm.MmuextCmd;
import java.util.ArrayList;
import java.util.List;

/**
 * Late pin and early unpin of a user address space ({@code xen_pgd_pin}, {@code xen_pgd_unpin},
 * {@code pgd_walk}; {@code arch/i386/xen/mmu.c}, 2.6.23; research notes §3.4).
 *
 * <ul>
 *   <li>{@link #xenPgdPin}: one batch that makes every table frame of the tree read-only — the pte
 *       pages of the user range, every pmd in PAE mode, the root last — then
 *       {@code MMUEXT_PIN_L2_TABLE} (2-level) or {@code MMUEXT_PIN_L3_TABLE} (PAE), which validates
 *       the whole tree;</li>
 *   <li>{@link #xenExitMmap}: every vCPU whose base is the dying root is moved to
 *       {@code swapper_pg_dir} first ({@code drop_mm_ref}), then the root is unpinned if it is pinned
 *       ({@link #xenPgdUnpin}), else {@link #makeTreeWritable};</li>
 *   <li>{@link #xenPgdUnpin}: one batch with {@code MMUEXT_UNPIN_TABLE} first (dropping the
 *       references), then the same frames made writable again, so the teardown that follows writes
 *       plain memory;</li>
 *   <li>{@link #makeTreeWritable}: the model's rule for a tree that was never pinned (a fork or exec
 *       that failed): the port made its tables read-only when they were announced, so its frames are
 *       made writable before teardown.</li>
 * </ul>
 *
 * <p>The walk sets {@code PG_pinned} on every frame of the tree ({@code pin_page}) and the unpin clears
 * it ({@code unpin_page}); whether a root is pinned is its own {@code PG_pinned}, as in
 * {@code xen_exit_mmap}. Frames whose direct-map entry is already in the wanted state get no
 * {@code update_va_mapping}. Kernel pte pages are shared by every root and never walked.
 *
 * <p><b>Threading:</b> callers hold the domain lock.
 */
final class PgdPin {

    private final GuestLayout layout;
    private final PagingMode mode;
    private final GuestMemory memory;
    private final MachineMemory machine;
    private final Hypervisor hv;
    private final LowmemMappings lowmem;
    private final Multicalls mc;
    private final PgPinned pinned;
    private final LoadedRoots loaded;

    PgdPin(GuestLayout layout, Hypervisor hv, LowmemMappings lowmem, Multicalls mc, PgPinned pinned, LoadedRoots loaded) {
        this.layout = layout;
        this.mode = layout.mode();
        this.machine = hv.machine();
        this.memory = machine.guest();
        this.hv = hv;
        this.lowmem = lowmem;
        this.mc = mc;
        this.pinned = pinned;
        this.loaded = loaded;
    }

    /**
     * {@code xen_exit_mmap(mm)}: before the teardown of an address space.
     *
     * @param cpu    the calling vCPU
     * @param rootPa the root
     */
    void xenExitMmap(int cpu, long rootPa) {
        dropMmRef(cpu, rootPa);
        if (pinned.test(rootPa >>> PagingMode.PAGE_SHIFT)) { // PagePinned(virt_to_page(mm->pgd))
            xenPgdUnpin(cpu, rootPa);
        } else {
            makeTreeWritable(cpu, rootPa);
        }
    }

    /** {@code drop_mm_ref}: every vCPU that has the root loaded loads {@code swapper_pg_dir} (an IPI on SMP). */
    private void dropMmRef(int cpu, long rootPa) {
        mc.flush(cpu);
        long swapper = machine.p2m(layout.swapperPfn());
        for (int v = 0; v < loaded.vcpus(); v++) {
            if (loaded.root(v) == rootPa) {
                hv.hypercall(v, new Hypercall.MmuextOp(MmuextCmd.NEW_BASEPTR, swapper));
                loaded.load(v, layout.swapperPgDir());
            }
        }
    }

    /**
     * {@code xen_pgd_pin(pgd)}.
     *
     * @param cpu    the calling vCPU
     * @param rootPa the root
     */
    void xenPgdPin(int cpu, long rootPa) {
        List<Long> tree = pgdWalk(rootPa);
        List<Hypercall> batch = protectAll(tree, false);
        tree.forEach(pinned::set);
        batch.add(new Hypercall.MmuextOp(pinCommand(), rootMfn(rootPa)));
        mc.batch(cpu, batch);
    }

    /**
     * {@code xen_pgd_unpin(pgd)}.
     *
     * @param cpu    the calling vCPU
     * @param rootPa the root, pinned
     */
    void xenPgdUnpin(int cpu, long rootPa) {
        List<Hypercall> batch = new ArrayList<>();
        batch.add(new Hypercall.MmuextOp(MmuextCmd.UNPIN_TABLE, rootMfn(rootPa)));
        List<Long> tree = pgdWalk(rootPa);
        batch.addAll(protectAll(tree, true));
        tree.forEach(pinned::clear);
        mc.batch(cpu, batch);
    }

    /**
     * Makes every read-only table frame of a tree that was never pinned writable again.
     *
     * @param cpu    the calling vCPU
     * @param rootPa the root
     */
    void makeTreeWritable(int cpu, long rootPa) {
        List<Hypercall> batch = protectAll(pgdWalk(rootPa), true);
        if (!batch.isEmpty()) {
            mc.batch(cpu, batch);
        }
    }

    /** @return {@code MMUEXT_PIN_L2_TABLE} in 2-level mode, {@code MMUEXT_PIN_L3_TABLE} in PAE mode */
    MmuextCmd pinCommand() {
        return mode == PagingMode.PAE ? MmuextCmd.PIN_L3_TABLE : MmuextCmd.PIN_L2_TABLE;
    }

    /**
     * {@code pgd_walk(pgd, func, TASK_SIZE)}: the table frames of a tree — the pte pages of the user
     * range, in PAE mode every pmd (the kernel's copy included), and the root last.
     *
     * @param rootPa the root
     * @return guest frames, root last
     */
    List<Long> pgdWalk(long rootPa) {
        List<Long> frames = new ArrayList<>();
        int es = mode.entryBytes();
        int user = mode.userPtrsPerPgd();
        if (mode == PagingMode.PAE) {
            List<Long> pmds = new ArrayList<>();
            for (int i = 0; i < mode.ptrsPerPgd(); i++) {
                long pgd = read(rootPa + (long) i * es);
                if (!EntryBits.isPresent(pgd)) {
                    continue;
                }
                long pmdPa = pgd & mode.frameMask();
                pmds.add(pmdPa >>> PagingMode.PAGE_SHIFT);
                if (i < user) {
                    addPtePages(pmdPa, mode.ptrsPerPmd(), frames);
                }
            }
            frames.addAll(pmds);
        } else {
            addPtePages(rootPa, user, frames);
        }
        frames.add(rootPa >>> PagingMode.PAGE_SHIFT);
        return frames;
    }

    private void addPtePages(long tablePa, int count, List<Long> out) {
        for (int j = 0; j < count; j++) {
            long pmd = read(tablePa + (long) j * mode.entryBytes());
            if (EntryBits.isPresent(pmd) && !EntryBits.isLarge(pmd)) {
                out.add((pmd & mode.frameMask()) >>> PagingMode.PAGE_SHIFT);
            }
        }
    }

    private List<Hypercall> protectAll(List<Long> frames, boolean writable) {
        List<Hypercall> batch = new ArrayList<>();
        for (long pfn : frames) {
            Hypercall h = lowmem.protect(pfn, writable);
            if (h != null) {
                batch.add(h);
            }
        }
        return batch;
    }

    private long rootMfn(long rootPa) {
        return machine.p2m(rootPa >>> PagingMode.PAGE_SHIFT);
    }

    private long read(long pa) {
        return machine.entryValue(memory.readEntry(pa));
    }
}
