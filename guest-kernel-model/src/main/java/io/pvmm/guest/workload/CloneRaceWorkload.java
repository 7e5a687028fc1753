package io.pvmm.guest.workload;

import io.pvmm.guest.arch.PageAttr;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.mm.Mmap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Two vCPUs set up for the race {@code pgd_ctor}'s "must happen under lock" guards against — the
 * workload that shows the {@code clone-outside-lock} guest bug, and, without it, that a backend keeps
 * every root's kernel entries right while roots are constructed during kernel mapping changes. vCPU 0
 * forks a new process at the end of every phase of {@value #FORKER_PHASE} operations, after the last
 * child exited and the slab reaper destroyed its cached pgd, so every fork constructs a new pgd
 * ({@code pgd_ctor}: clone the kernel half, {@code alloc_pd_clone}, {@code pgd_list_add}). vCPU 1, in
 * phases of {@value #STORM_PHASE}, reverts the large page it split in its last phase and splits it again
 * at the end ({@code change_page_attr}: {@code set_pmd_pte} rewrites the kernel entry in every listed
 * root). A fork whose clone overlaps the split leaves its root with the old entry if the clone is not
 * under {@code pgd_lock}; run in {@link io.pvmm.guest.run.QuiescentPoints} with these phase lengths, the stale
 * entry is still there at the next quiescent point.
 *
 * <p>Only one vCPU changes page attributes: in 2.6.21 {@code split_large_page} drops {@code cpa_lock}
 * around its allocation after {@code __change_page_attr} looked the pmd up, so two vCPUs changing pages
 * of one large page at once can both split it, and the kernel itself then goes wrong.
 *
 * <pre>{@code
 * QuiescentPoints points = new QuiescentPoints(new CloneRaceWorkload(100), CloneRaceWorkload::phase, action);
 * }</pre>
 */
public final class CloneRaceWorkload implements Workload {

    /** Operations of vCPU 0 between two quiescent points. */
    public static final int FORKER_PHASE = 4;
    /** Operations of vCPU 1 between two quiescent points. */
    public static final int STORM_PHASE = 5;

    private static final long STACK_PAGE = Mmap.TASK_SIZE - 4096;

    private final int rounds;

    /**
     * Describes the workload.
     *
     * @param rounds phases of forking and splitting
     */
    public CloneRaceWorkload(int rounds) {
        this.rounds = rounds;
    }

    /**
     * The phase length of a vCPU, for quiescent points.
     *
     * @param cpu 0 or 1
     * @return {@link #FORKER_PHASE} or {@link #STORM_PHASE}
     */
    public static int phase(int cpu) {
        return cpu == 0 ? FORKER_PHASE : STORM_PHASE;
    }

    @Override
    public int quiescentPhase(int cpu) {
        return phase(cpu);
    }

    @Override
    public String name() {
        return "clone-race";
    }

    @Override
    public String description() {
        return "one vCPU constructs new pgds while another splits and reverts a large page";
    }

    @Override
    public List<Iterator<Op>> streams(int vcpus, long seed) {
        List<Op> forker = new ArrayList<>(List.of(new Op.Spawn(1), new Op.Exec(1, ExecImage.DEFAULT), new Op.Reap(),
                new Op.Fork(1, 2)));
        List<Op> storm = new ArrayList<>(List.of(new Op.Kalloc(1, 1), new Op.GlobalFlushTlb(), new Op.GlobalFlushTlb(),
                new Op.GlobalFlushTlb(), new Op.ChangePageAttr(1, PageAttr.Attr.NOCACHE)));
        for (int r = 2; r <= rounds; r++) {
            // the child exits; touching init's stack switches back to init, which drops the child's pgd into
            // the cache; the reaper destroys it; the fork then constructs a fresh one
            forker.addAll(List.of(new Op.Exit(r), new Op.Touch(1, STACK_PAGE, 4096, false), new Op.Reap(), new Op.Fork(1, r + 1)));
            storm.addAll(List.of(new Op.ChangePageAttr(r - 1, PageAttr.Attr.KERNEL), new Op.GlobalFlushTlb(), new Op.Kfree(r - 1),
                    new Op.Kalloc(r, 1), new Op.ChangePageAttr(r, PageAttr.Attr.NOCACHE)));
        }
        forker.add(new Op.Exit(rounds + 1));
        storm.addAll(List.of(new Op.ChangePageAttr(rounds, PageAttr.Attr.KERNEL), new Op.GlobalFlushTlb(), new Op.Kfree(rounds)));
        if (vcpus == 1) {
            return List.of(alternate(forker, storm).iterator());
        }
        List<Iterator<Op>> streams = new ArrayList<>(List.of(forker.iterator(), storm.iterator()));
        while (streams.size() < vcpus) {
            streams.add(java.util.Collections.emptyIterator());
        }
        return streams;
    }

    /** One vCPU's stream: a phase of the forker's, then one of the storm's, and so on. */
    private static List<Op> alternate(List<Op> forker, List<Op> storm) {
        List<Op> one = new ArrayList<>();
        int f = 0;
        int s = 0;
        while (f < forker.size() || s < storm.size()) {
            for (int i = 0; i < FORKER_PHASE && f < forker.size(); i++) {
                one.add(forker.get(f++));
            }
            for (int i = 0; i < STORM_PHASE && s < storm.size(); i++) {
                one.add(storm.get(s++));
            }
        }
        return one;
    }
}
