package io.pvmm.guest.workload;

import java.util.Iterator;
import java.util.List;

/**
 * What a run makes the guest do: one stream of {@link Op}s per vCPU. A workload is deterministic: the
 * same vCPU count and seed give the same streams.
 */
public interface Workload {

    /** @return the name used with {@code --workload}, or the trace's file name */
    String name();

    /** @return one line for listings */
    String description();

    /**
     * The operation streams.
     *
     * @param vcpus how many vCPUs will run them
     * @param seed  the run's seed
     * @return exactly {@code vcpus} streams; stream {@code i} runs on vCPU {@code i}
     */
    List<Iterator<Op>> streams(int vcpus, long seed);

    /**
     * Whether operations of one stream may depend on tasks created in another (a trace replayed on
     * several vCPUs), so the executor must wait for them.
     *
     * @return true if streams are not independent
     */
    default boolean crossStream() {
        return false;
    }

    /**
     * How many operations vCPU {@code cpu} applies between two quiescent points, for a workload whose
     * purpose needs its own: a race that a later operation of the same workload undoes, which an audit
     * must meet in between. A run's audits during the workload then come at these points instead of
     * every {@code audit.every} operations ({@code audit.every=0} still turns them off).
     *
     * @param cpu a vCPU
     * @return operations per phase, or 0 (the default) to leave the points to the run's audit schedule
     */
    default int quiescentPhase(int cpu) {
        return 0;
    }
}
