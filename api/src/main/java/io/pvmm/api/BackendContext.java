package io.pvmm.api;

/**
 * What a backend is given about the guest it serves: the guest's physical memory, its layout and
 * paging mode, its vCPUs, and the backend's own settings.
 *
 * <p>Every method has a default that throws {@link UnsupportedOperationException}, so a test can
 * implement only what the backend under test uses.
 *
 * <p><b>Threading:</b> all methods may be called from any thread; {@link #currentCpu()} answers for
 * the calling thread.
 */
public interface BackendContext {

    /**
     * The guest's paging mode, the same as {@code layout().mode()}.
     *
     * @return the paging mode
     */
    default PagingMode mode() {
        return layout().mode();
    }

    /**
     * Where the guest keeps what a hypervisor needs to find: {@code swapper_pg_dir}, the direct map,
     * the vmalloc and fixmap ranges, and whether PSE and PGE are in use.
     *
     * @return the guest's layout, fixed before the backend is created
     */
    default GuestLayout layout() {
        throw new UnsupportedOperationException("layout");
    }

    /**
     * The guest's physical memory. A backend reads page tables through it and stores the entries it
     * is asked to store; these accesses are the hypervisor's and never fault.
     *
     * @return the guest's physical memory
     */
    default GuestMemory memory() {
        throw new UnsupportedOperationException("memory");
    }

    /**
     * The backend's settings, validated against {@link BackendProvider#settings()}, defaults applied.
     *
     * @return the settings
     */
    default BackendSettings settings() {
        throw new UnsupportedOperationException("settings");
    }

    /**
     * Write protection of guest frames, as the hardware gives it to a hypervisor: stores into a
     * protected frame trap and come to {@link ParavirtOps#storeTrapped}. Only a backend that finds
     * page tables by itself (without the lifecycle hooks) needs it. Since SPI 1.1.
     *
     * @return the guest's write protection
     * @throws UnsupportedOperationException from a context that does not model it (a test's stub, a
     *                                       runtime older than SPI 1.1)
     */
    default WriteProtection writeProtection() {
        throw new UnsupportedOperationException("writeProtection");
    }

    /**
     * The number of virtual CPUs the guest runs; {@link #currentCpu()} is below it.
     *
     * @return at least 1
     */
    default int vcpus() {
        return 1;
    }

    /**
     * The vCPU the calling thread runs — Linux {@code smp_processor_id()}. Per-vCPU state (lazy mode,
     * batches) is indexed by it. Threads that are not vCPUs (boot, audits) answer 0.
     *
     * @return the calling vCPU, from 0 to {@code vcpus() - 1}
     */
    default int currentCpu() {
        return 0;
    }
}
