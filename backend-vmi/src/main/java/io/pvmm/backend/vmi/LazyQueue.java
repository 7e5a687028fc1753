package io.pvmm.backend.vmi;

import java.util.Arrays;
import java.util.Objects;

/**
 * Lazy MMU mode, per vCPU — {@code vmi_set_lazy_mode} and the ROM's queued calls. While a vCPU is in
 * lazy mode, the shadow updates of its page-table writes wait in its {@link Batch}, in order; they
 * take effect when the vCPU leaves lazy mode or flushes its TLB. The guest's own store is never
 * delayed. "Entry should never be nested, and entry and exits should always be paired": entering
 * twice raises {@code lazy-mode-nested}, leaving when not in it {@code lazy-mode-unpaired}.
 *
 * <p><b>Threading:</b> a vCPU's state is touched only by the thread running that vCPU (the model
 * hands a vCPU between threads only through thread start and join), so it needs no lock.
 */
final class LazyQueue {

    /**
     * Shadow updates waiting on one vCPU, in the order they were made: each names the shadow object
     * (not just the frame, so an update to a table released and re-announced meanwhile lands on the
     * dropped shadow and is lost with it), the entry, and the translated value.
     */
    static final class Batch {
        private Shadow[] shadows = new Shadow[64];
        private int[] indices = new int[64];
        private long[] values = new long[64];
        private int size;

        void add(Shadow shadow, int index, long value) {
            if (size == shadows.length) {
                shadows = Arrays.copyOf(shadows, size * 2);
                indices = Arrays.copyOf(indices, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            shadows[size] = shadow;
            indices[size] = index;
            values[size] = value;
            size++;
        }

        /** @return how many updates wait */
        int size() {
            return size;
        }

        Shadow shadow(int i) {
            return shadows[i];
        }

        int index(int i) {
            return indices[i];
        }

        long value(int i) {
            return values[i];
        }

        void clear() {
            Arrays.fill(shadows, 0, size, null);
            size = 0;
        }
    }

    private static final class Cpu {
        boolean lazy;
        final Batch batch = new Batch();
    }

    private final Cpu[] cpus;
    private final Violations violations;

    /**
     * Creates the per-vCPU state, every vCPU out of lazy mode.
     *
     * @param vcpus      the guest's vCPU count
     * @param violations where broken rules go
     */
    LazyQueue(int vcpus, Violations violations) {
        this.cpus = new Cpu[Math.max(1, vcpus)];
        for (int i = 0; i < cpus.length; i++) {
            cpus[i] = new Cpu();
        }
        this.violations = violations;
    }

    /**
     * Where a write's shadow update goes on this vCPU.
     *
     * @param cpu the calling vCPU
     * @return its batch while it is in lazy mode, null when updates apply at once
     */
    Batch pending(int cpu) {
        Cpu c = cpu(cpu);
        return c.lazy ? c.batch : null;
    }

    /**
     * {@code arch_enter_lazy_mmu_mode}.
     *
     * @param cpu the calling vCPU
     */
    void enter(int cpu) {
        Cpu c = cpu(cpu);
        if (c.lazy) {
            violations.raise(VmiRule.LAZY_MODE_NESTED, -1, "lazy MMU mode entered twice on vCPU " + cpu,
                    "vCPU " + cpu + " not in lazy mode", "vCPU " + cpu + " in lazy MMU mode");
            return;
        }
        c.lazy = true;
    }

    /**
     * {@code arch_leave_lazy_mmu_mode}: the vCPU leaves lazy mode; the caller applies the batch.
     *
     * @param cpu the calling vCPU
     * @return the updates queued since entry, to apply in order
     */
    Batch leave(int cpu) {
        Cpu c = cpu(cpu);
        if (!c.lazy) {
            violations.raise(VmiRule.LAZY_MODE_UNPAIRED, -1, "lazy MMU mode left on vCPU " + cpu + " that is not in it",
                    "vCPU " + cpu + " in lazy MMU mode", "vCPU " + cpu + " not in lazy mode");
        }
        c.lazy = false;
        return c.batch;
    }

    /**
     * A TLB flush on this vCPU: queued updates must take effect; lazy mode stays as it is.
     *
     * @param cpu the calling vCPU
     * @return the updates queued so far (empty outside lazy mode), to apply in order
     */
    Batch flush(int cpu) {
        return cpu(cpu).batch;
    }

    private Cpu cpu(int cpu) {
        return cpus[Objects.checkIndex(cpu, cpus.length)];
    }
}
