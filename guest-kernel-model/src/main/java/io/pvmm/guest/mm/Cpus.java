package io.pvmm.guest.mm;

import java.util.Objects;

/**
 * The guest's CPUs: for each, the address space it has loaded ({@code active_mm}, which a kernel
 * thread borrows lazily) and whether it is in lazy MMU mode. A vCPU is a {@link VcpuThread}; any
 * other thread (boot, shutdown, a test) acts as CPU 0 and must not run while vCPU threads do.
 */
public final class Cpus {

    /** One CPU's scheduling state. */
    public static final class Cpu {
        private final int id;
        private MmStruct activeMm;
        private boolean lazyMmu;

        Cpu(int id) {
            this.id = id;
        }

        /** @return the CPU number */
        public int id() {
            return id;
        }

        /** @return the address space loaded in CR3, or null for {@code init_mm} */
        public MmStruct activeMm() {
            return activeMm;
        }

        /** @param mm the address space now loaded; null for {@code init_mm} */
        public void setActiveMm(MmStruct mm) {
            this.activeMm = mm;
        }

        /** @return whether lazy MMU mode is active */
        public boolean lazyMmu() {
            return lazyMmu;
        }

        /** @param on lazy MMU mode entered or left */
        public void setLazyMmu(boolean on) {
            this.lazyMmu = on;
        }
    }

    /** A thread that is one of the guest's vCPUs. */
    public static class VcpuThread extends Thread {
        private final int cpu;

        /**
         * Creates a vCPU thread.
         *
         * @param cpu  the CPU number
         * @param name the thread's name
         * @param body what it runs
         */
        public VcpuThread(int cpu, String name, Runnable body) {
            super(body, name);
            this.cpu = cpu;
        }

        /** @return the CPU number */
        public int cpu() {
            return cpu;
        }
    }

    private final Cpu[] cpus;

    /**
     * Creates the CPUs, all with {@code init_mm} loaded.
     *
     * @param n how many
     */
    public Cpus(int n) {
        cpus = new Cpu[n];
        for (int i = 0; i < n; i++) {
            cpus[i] = new Cpu(i);
        }
    }

    /**
     * {@code smp_processor_id()}.
     *
     * @return the calling vCPU, 0 for other threads
     */
    public static int currentId() {
        return Thread.currentThread() instanceof VcpuThread v ? v.cpu() : 0;
    }

    /** @return the calling CPU's state */
    public Cpu current() {
        return cpus[currentId()];
    }

    /**
     * A CPU's state.
     *
     * @param id a CPU number
     * @return its state
     */
    public Cpu get(int id) {
        return Objects.checkIndex(id, cpus.length) >= 0 ? cpus[id] : null;
    }

    /** @return the number of CPUs */
    public int count() {
        return cpus.length;
    }

    /**
     * Whether an address space is the one loaded on the calling CPU (so a TLB flush for it is local).
     *
     * @param mm an address space
     * @return whether it is current here
     */
    public boolean isCurrent(MmStruct mm) {
        return current().activeMm == mm;
    }
}
