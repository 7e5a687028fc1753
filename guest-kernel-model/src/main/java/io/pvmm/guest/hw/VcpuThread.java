package io.pvmm.guest.hw;

/**
 * A thread that is one of the guest's vCPUs. Any other thread (boot, shutdown, a test) acts as vCPU 0
 * and must not run while vCPU threads do.
 */
public class VcpuThread extends Thread {

    private final int cpu;

    /**
     * Creates a vCPU thread.
     *
     * @param cpu  the vCPU number
     * @param name the thread's name
     * @param body what it runs
     */
    public VcpuThread(int cpu, String name, Runnable body) {
        super(body, name);
        this.cpu = cpu;
    }

    /** @return the vCPU number */
    public int cpu() {
        return cpu;
    }

    /**
     * The calling thread's vCPU, as the kernel's {@code smp_processor_id()} reads it.
     *
     * @return the calling vCPU, 0 for other threads
     */
    public static int currentId() {
        return Thread.currentThread() instanceof VcpuThread v ? v.cpu() : 0;
    }
}
