package io.pvmm.backend.xen;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import java.util.Map;

/**
 * A {@link BackendContext} for unit tests: a small layout over a {@link MapMemory}, the xen settings,
 * and a vCPU number per thread that the test sets.
 */
public final class TestContext implements BackendContext {

    private final GuestLayout layout;
    private final MapMemory memory;
    private final BackendSettings settings;
    private final int vcpus;
    private final ThreadLocal<Integer> cpu = ThreadLocal.withInitial(() -> 0);

    /**
     * A guest whose memory is all lowmem, with {@code swapper_pg_dir} at frame 1.
     *
     * @param mode     the paging mode
     * @param frames   memory frames
     * @param vcpus    vCPUs
     * @param settings xen settings by key
     */
    public TestContext(PagingMode mode, long frames, int vcpus, Map<String, String> settings) {
        this.memory = new MapMemory(mode, frames);
        this.layout = new GuestLayout(mode, SWAPPER_PFN << PagingMode.PAGE_SHIFT, frames, frames,
                0xF4FFF000L, 0xD0000000L, 0xF0000000L, false, false, false);
        this.settings = BackendSettings.of(new XenProvider().settings(), settings);
        this.vcpus = vcpus;
    }

    /** The frame of {@code swapper_pg_dir}. */
    public static final long SWAPPER_PFN = 1;

    @Override
    public GuestLayout layout() {
        return layout;
    }

    @Override
    public GuestMemory memory() {
        return memory;
    }

    /** @return the memory, with its free-pool control */
    public MapMemory mapMemory() {
        return memory;
    }

    @Override
    public BackendSettings settings() {
        return settings;
    }

    @Override
    public int vcpus() {
        return vcpus;
    }

    @Override
    public int currentCpu() {
        return cpu.get();
    }

    /**
     * Makes the calling thread act as a vCPU.
     *
     * @param id the vCPU
     */
    public void runAs(int id) {
        cpu.set(id);
    }
}
