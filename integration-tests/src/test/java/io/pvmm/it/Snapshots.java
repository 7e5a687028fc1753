package io.pvmm.it;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.Op;
import io.pvmm.guest.workload.Workload;
import io.pvmm.tck.TranslationSnapshot;
import java.util.Map;
import java.util.TreeMap;

/**
 * A one-vCPU run with the guest's translations taken at fixed operation indices, for comparing
 * backends.
 *
 * @param report    the run's report
 * @param snapshots the translations, by the index of the operation after which they were taken
 */
record Snapshots(RunReport report, Map<Long, TranslationSnapshot> snapshots) {

    /**
     * Runs and takes snapshots after every {@code every}-th operation and after the last one.
     *
     * @param factory  the backend
     * @param mode     the paging mode
     * @param config   the guest (one vCPU)
     * @param workload what to run
     * @param every    the stride between snapshots
     * @return the report and the snapshots
     */
    static Snapshots take(BackendFactory factory, PagingMode mode, GuestConfig config, Workload workload, long every) {
        Map<Long, TranslationSnapshot> snapshots = new TreeMap<>();
        TranslationSnapshot[] last = {null};
        long[] lastIndex = {0};
        RunReport report = new GuestRun(mode, config.withVcpus(1), workload).observe(new RunObserver() {
            @Override
            public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
                if (index % every == 0) {
                    snapshots.put(index, TranslationSnapshot.capture(kernel));
                }
                lastIndex[0] = index;
            }

            @Override
            public void finished(GuestKernel kernel) {
                last[0] = TranslationSnapshot.capture(kernel);
            }
        }).run(factory);
        snapshots.put(Long.MAX_VALUE, last[0]);
        return new Snapshots(report, snapshots);
    }
}
