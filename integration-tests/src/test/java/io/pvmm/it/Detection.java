package io.pvmm.it;

import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.TlbCoherence;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.Op;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.List;
import java.util.Set;

/**
 * What one backend did about one guest bug on one vCPU, in the detection matrix's words: its first
 * violation, else the first finding of its audit after a sampled operation or at the end, else nothing; and
 * what the model's own checks said.
 *
 * @param backend what the backend did: {@code violation:RULE}, {@code audit:RULE}, {@code guest-bug} or {@code -}
 * @param guest   what the model's checks said: {@code unbalanced}, {@code leak}, {@code stale-tlb} (a TLB
 *                disagreed with the tables after an operation), joined by {@code +}, or {@code -}; null
 *                when a violation stopped the run
 * @param report  the run's report
 */
record Detection(String backend, String guest, RunReport report) {

    /** Forks, execs, touches, exits and reaps: every hook of the seed and every bug's path, kept small. */
    static final WorkloadSettings WORKLOAD = new WorkloadSettings(12, 8, 4, 12, 4);
    /** A small guest: every bug's path fits, and audits whose cost follows guest memory stay quick. */
    static final GuestConfig GUEST = GuestConfig.DEFAULTS.withMemoryMib(64);
    /** The backend is audited after every operation up to this one, then after every fourth. */
    private static final long EVERY_OPERATION_UNTIL = 64;

    /**
     * Runs {@code fork-exit} on one vCPU with a bug on, auditing after each of the first
     * {@value #EVERY_OPERATION_UNTIL} operations and every fourth one after them.
     *
     * @param factory the backend
     * @param mode    the paging mode
     * @param bug     the bug
     * @return what was detected
     */
    static Detection of(BackendFactory factory, PagingMode mode, GuestBug bug) {
        String[] firstFinding = {null};
        boolean[] staleTlb = {false};
        GuestConfig config = GUEST.withBugs(Set.of(bug));
        RunReport report = new GuestRun(mode, config, BuiltInWorkloads.find("fork-exit", WORKLOAD).orElseThrow())
                .observe(new RunObserver() {
                    @Override
                    public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
                        if (firstFinding[0] == null && (index <= EVERY_OPERATION_UNTIL || index % 4 == 0)) {
                            firstFinding[0] = first(kernel.ops());
                        }
                        staleTlb[0] |= !TlbCoherence.staleEntries(kernel.machine().tlbs(), kernel.mmu(), 1).isEmpty();
                    }
                }).run(factory);
        String backend;
        if (!report.violations().isEmpty()) {
            backend = "violation:" + report.violations().get(0).rule();
        } else if (firstFinding[0] != null) {
            backend = "audit:" + firstFinding[0];
        } else if (!report.findings().isEmpty()) {
            backend = "audit:" + report.findings().get(0).ruleId();
        } else if (report.bug() != null) {
            backend = "guest-bug";
        } else {
            backend = "-";
        }
        String guest = null;
        if (report.violations().isEmpty()) {
            String g = (report.balanced() ? "" : "+unbalanced") + (report.noLeak() ? "" : "+leak") + (staleTlb[0] ? "+stale-tlb" : "");
            guest = g.isEmpty() ? "-" : g.substring(1);
        }
        return new Detection(backend, guest, report);
    }

    private static String first(ParavirtOps ops) {
        List<Finding> findings = ops.audit();
        return findings.isEmpty() ? null : findings.get(0).ruleId();
    }
}
