package io.pvmm.guest.kernel;

/**
 * The guest's time, per vCPU, in {@code jiffies} of a 2.6.21 i386 kernel built with the default
 * {@code CONFIG_HZ_250}: one jiffy is 4 ms. Nothing in the model takes time by itself; the workload
 * advances the clock of the vCPU that runs an operation by what that operation costs a guest (see
 * {@code workload.OpTime}), so a run's guest time, and what happens on its timers, follows from its
 * seed. Each vCPU's clock runs on its own, as each CPU's local timer does.
 *
 * <p>The timer kept here is the slab reaper's: {@code start_cpu_timer} schedules {@code cache_reap}
 * on each CPU about one second after boot ({@code __round_jiffies_relative(HZ, cpu)}: the model takes
 * {@code HZ + 3 * cpu}, the per-CPU skew of {@code round_jiffies}), and {@code cache_reap} schedules
 * itself again {@code REAPTIMEOUT_CPUC} (2 * HZ) later.
 *
 * <p><b>Threading:</b> a vCPU advances and reads only its own clock; another thread may read it.
 */
public final class GuestClock {

    /** {@code HZ}: the 2.6.21 default, {@code CONFIG_HZ_250}. */
    public static final int HZ = 250;
    /** Nanoseconds per jiffy. */
    public static final long NANOS_PER_JIFFY = 1_000_000_000L / HZ;
    /** {@code REAPTIMEOUT_CPUC}: 2 * HZ between two runs of {@code cache_reap} on one CPU. */
    public static final long REAPTIMEOUT_CPUC = 2L * HZ;

    /** One slot per vCPU, spaced a cache line apart (each is written by its own vCPU). */
    private static final int STRIDE = 8;

    private final long[] nanos;
    private final long[] nextReap;
    private final int cpus;

    /**
     * Creates the clocks at time zero (boot), with every CPU's first {@code cache_reap} pending.
     *
     * @param cpus the guest's vCPUs
     */
    public GuestClock(int cpus) {
        this.cpus = Math.max(1, cpus);
        this.nanos = new long[this.cpus * STRIDE];
        this.nextReap = new long[this.cpus * STRIDE];
        for (int c = 0; c < this.cpus; c++) {
            nextReap[c * STRIDE] = HZ + 3L * c;
        }
    }

    /**
     * A vCPU spends guest time.
     *
     * @param cpu   the calling vCPU
     * @param nanos guest nanoseconds spent
     * @return whether the CPU's {@code cache_reap} timer expired (the caller runs it, and it is
     *         rescheduled {@link #REAPTIMEOUT_CPUC} from now)
     */
    public boolean advance(int cpu, long nanos) {
        int i = slot(cpu);
        this.nanos[i] += nanos;
        long now = this.nanos[i] / NANOS_PER_JIFFY;
        if (now >= nextReap[i]) {
            nextReap[i] = now + REAPTIMEOUT_CPUC;
            return true;
        }
        return false;
    }

    /**
     * {@code jiffies} as a CPU sees it.
     *
     * @param cpu a vCPU
     * @return its guest time in jiffies
     */
    public long jiffies(int cpu) {
        return nanos[slot(cpu)] / NANOS_PER_JIFFY;
    }

    /**
     * @param cpu a vCPU
     * @return its guest time in nanoseconds
     */
    public long nanos(int cpu) {
        return nanos[slot(cpu)];
    }

    private int slot(int cpu) {
        return (cpu < cpus ? cpu : 0) * STRIDE;
    }
}
