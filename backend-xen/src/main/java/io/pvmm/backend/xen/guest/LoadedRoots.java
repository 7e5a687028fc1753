package io.pvmm.backend.xen.guest;

import java.util.Arrays;

/**
 * The root each vCPU has loaded, as the guest knows it: what it last wrote to CR3 on that vCPU
 * ({@code xen_write_cr3}), {@code swapper_pg_dir} from the end of boot. {@code xen_set_pte_at} asks
 * whether an mm is the current one from this, and {@code drop_mm_ref} which vCPUs to move off a dying
 * root — never the hypervisor's record of the vCPUs' bases.
 *
 * <p><b>Threading:</b> callers hold the domain lock.
 */
final class LoadedRoots {

    private final long[] root;

    LoadedRoots(int vcpus) {
        this.root = new long[Math.max(1, vcpus)];
        Arrays.fill(root, -1);
    }

    /** @return the root vCPU {@code cpu} has loaded, or -1 before boot loaded one */
    long root(int cpu) {
        return root[cpu];
    }

    /** Records a CR3 load on a vCPU. */
    void load(int cpu, long rootPa) {
        root[cpu] = rootPa;
    }

    /** At the end of boot every vCPU runs on the kernel's root. */
    void loadAll(long rootPa) {
        Arrays.fill(root, rootPa);
    }

    /** @return how many vCPUs there are */
    int vcpus() {
        return root.length;
    }
}
