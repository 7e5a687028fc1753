package io.pvmm.tck;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Task;
import io.pvmm.guest.mm.Vma;
import java.util.Objects;

/**
 * A guest as a scenario's checks see it at a quiescent point: translations through the independent
 * hardware walker, by process.
 */
public final class GuestView {

    /** {@code empty_zero_page}'s frame: what an anonymous page read before any write maps to. */
    public static final long ZERO_PAGE_PFN = io.pvmm.guest.arch.KernelLayout.EMPTY_ZERO_PAGE >>> PagingMode.PAGE_SHIFT;

    private final GuestKernel kernel;

    GuestView(GuestKernel kernel) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
    }

    /** @return the guest */
    public GuestKernel kernel() {
        return kernel;
    }

    /**
     * The root of a live process's address space.
     *
     * @param pid a process
     * @return its root's physical address
     * @throws AssertionError if the process does not exist or has no address space
     */
    public long root(int pid) {
        Task task = kernel.processes().task(pid);
        if (task == null || task.mm() == null) {
            throw new AssertionError("process " + pid + " has no address space");
        }
        return task.mm().pgd();
    }

    /**
     * How a process's address space translates an address.
     *
     * @param pid a live process
     * @param va  a virtual address
     * @return the translation, or null when nothing is mapped
     */
    public Mmu.Translation translate(int pid, long va) {
        return kernel.mmu().translate(root(pid), va);
    }

    /**
     * The vma of a process that contains an address.
     *
     * @param pid a live process
     * @param va  an address
     * @return the vma, or null
     */
    public Vma vma(int pid, long va) {
        return kernel.processes().task(pid).mm().findVma(va);
    }
}
