package io.pvmm.guest.run;

import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.ParavirtViolation;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.GuestMachine;
import io.pvmm.guest.memory.KernelOops;
import io.pvmm.guest.memory.PageFrames;
import io.pvmm.guest.observe.CountingOps;
import io.pvmm.guest.observe.Hook;
import io.pvmm.guest.workload.Op;
import io.pvmm.guest.workload.OpExecutor;
import io.pvmm.guest.workload.Workload;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run: build the machine, create the backend, boot, run the workload on the vCPUs, shut down,
 * report. The backend is audited as the {@link AuditSchedule} says: at quiescent points during the
 * workload, when it has ended (before shutdown tears the address spaces down), and after shutdown. The
 * first violation or guest {@code BUG()} stops every vCPU, as a real {@code BUG()} stops the machine;
 * the report is still complete, but the backend is not audited at the end then: the guest stopped in the
 * middle of an operation, which is no quiescent point.
 *
 * <pre>{@code
 * RunReport report = new GuestRun(PagingMode.PAE, guestConfig, workload).run(backendFactory);
 * }</pre>
 */
public final class GuestRun {

    private final PagingMode mode;
    private final GuestConfig config;
    private final Workload workload;
    private RunObserver observer = RunObserver.NONE;
    private AuditSchedule schedule = AuditSchedule.DEFAULT;

    /**
     * Describes a run.
     *
     * @param mode     the paging mode
     * @param config   the guest's settings (seed and vCPUs included)
     * @param workload what to run
     */
    public GuestRun(PagingMode mode, GuestConfig config, Workload workload) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.config = Objects.requireNonNull(config, "config");
        this.workload = Objects.requireNonNull(workload, "workload");
    }

    /**
     * Watches the run.
     *
     * @param o the observer
     * @return this run
     */
    public GuestRun observe(RunObserver o) {
        this.observer = Objects.requireNonNull(o, "observer");
        return this;
    }

    /**
     * Sets when the backend is audited; {@link AuditSchedule#DEFAULT} unless this is called. A workload
     * that is already a {@link QuiescentPoints} is audited at its own points instead of the schedule's.
     *
     * @param s the schedule
     * @return this run
     */
    public GuestRun audit(AuditSchedule s) {
        this.schedule = Objects.requireNonNull(s, "schedule");
        return this;
    }

    /**
     * Runs on a backend.
     *
     * @param factory the backend
     * @return the report
     */
    public RunReport run(BackendFactory factory) {
        GuestMachine machine = GuestMachine.create(mode, config, factory.platform(mode));
        ParavirtOps backend = factory.create(machine.backendContext(factory.settings()));
        CountingOps ops = new CountingOps(backend, config.vcpus(), VcpuThread::currentId);
        Problems problems = new Problems();
        Audits audits = new Audits(backend);
        long t0 = System.nanoTime();
        GuestKernel kernel = null;
        Map<String, Long> bootHooks = Map.of();
        Map<String, Long> bootCounters = Map.of();
        Map<String, Long> bootCostEvents = Map.of();
        long bootFrames = 0;
        OpExecutor executor = null;
        boolean completed = false;
        try {
            kernel = machine.boot(ops);
            bootHooks = hookMap(ops);
            bootCounters = new LinkedHashMap<>(backend.counters());
            bootCostEvents = costEvents(backend);
            bootFrames = machine.pages().countWith(PageFrames.PAGETABLE);
            observer.booted(kernel);
            executor = new OpExecutor(kernel, workload.crossStream() && config.vcpus() > 1);
            runStreams(kernel, executor, problems, audits);
            if (!problems.stop.get()) {
                audits.take(AuditSchedule.Point.BEFORE_SHUTDOWN, executor.operations());
                observer.workloadDone(kernel);
                executor.releaseLeftovers();
                kernel.shutdown();
                completed = true;
            }
        } catch (RuntimeException e) {
            problems.record(e);
        }
        long elapsed = (System.nanoTime() - t0) / 1_000_000;
        if (kernel != null) {
            observer.finished(kernel);
        }
        if (completed) { // audits are for quiescent points; a stopped run stopped mid-operation
            try {
                audits.take(AuditSchedule.Point.AFTER_SHUTDOWN, executor.operations());
            } catch (RuntimeException e) {
                problems.record(e);
            }
        }
        List<Finding> findings = audits.findings();
        Map<String, Long> outcomes = new LinkedHashMap<>();
        if (executor != null) {
            executor.outcomes().forEach((k, v) -> outcomes.put(k.name(), v));
        }
        return new RunReport(factory.name(), mode.configName(), workload.name(), config.seed(), config.vcpus(), machine.kernel().toString(),
                hookMap(ops), bootHooks, new LinkedHashMap<>(backend.counters()), bootCounters, findings, problems.violations,
                problems.bug.get(), problems.failure.get(), machine.pages().countWith(PageFrames.PAGETABLE), bootFrames,
                kernel == null ? 0 : kernel.kernelPtePages(),
                machine.pool().freePages(), kernel == null ? 0 : kernel.bootFreePages(),
                executor == null ? 0 : executor.operations(), outcomes, machine.pool().failures().injected(), elapsed,
                completed, perCpu(machine), audits.records(), costEvents(backend), bootCostEvents);
    }

    /** Each vCPU's TLB counts, then the IPIs it sent and took. */
    private static List<Map<String, Long>> perCpu(GuestMachine machine) {
        List<Map<String, Long>> tlb = machine.tlbs().counters();
        List<Map<String, Long>> ipis = machine.apic().counters();
        List<Map<String, Long>> out = new ArrayList<>();
        for (int c = 0; c < tlb.size(); c++) {
            Map<String, Long> m = new LinkedHashMap<>(tlb.get(c));
            m.putAll(ipis.get(c));
            out.add(m);
        }
        return out;
    }

    /** The backend's typed cost events by id, in the events' order. */
    private static Map<String, Long> costEvents(ParavirtOps backend) {
        Map<String, Long> m = new LinkedHashMap<>();
        backend.costEvents().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> m.put(e.getKey().id(), e.getValue()));
        return m;
    }

    private void runStreams(GuestKernel kernel, OpExecutor executor, Problems problems, Audits audits) {
        QuiescentPoints.Action audit = (k, phase) -> {
            try {
                audits.take(AuditSchedule.Point.DURING, executor.operations());
            } catch (RuntimeException e) {
                problems.record(e);
            }
        };
        Workload w = workload;
        QuiescentPoints points = null;
        if (workload instanceof QuiescentPoints own) {
            own.alsoAt(audit);
            own.bind(kernel);
        } else if (schedule.during() && !(workload.crossStream() && config.vcpus() > 1)) {
            // a cross-stream workload (a trace on several vCPUs) may have one vCPU wait for a task another
            // creates: a barrier between them could park the creator while the other waits, so its audits
            // are the ones at the end
            points = new QuiescentPoints(workload, workload.quiescentPhase(0) > 0 ? workload::quiescentPhase
                    : cpu -> (int) schedule.every(), audit);
            points.bind(kernel);
            w = points;
        }
        List<Iterator<Op>> streams = w.streams(config.vcpus(), config.seed());
        List<VcpuThread> threads = new ArrayList<>();
        AtomicInteger running = new AtomicInteger(streams.size());
        for (int cpu = 0; cpu < streams.size(); cpu++) {
            Iterator<Op> stream = streams.get(cpu);
            int id = cpu;
            threads.add(new VcpuThread(cpu, "vcpu-" + cpu, () -> {
                long n = 0;
                try {
                    kernel.smp().interruptsEnabled(); // this thread is the vCPU from here on
                    while (!problems.stop.get() && stream.hasNext()) {
                        Op op = stream.next();
                        executor.apply(op);
                        kernel.smp().interruptsEnabled(); // back to user mode
                        observer.afterOp(kernel, id, ++n, op);
                    }
                    if (!problems.stop.get()) {
                        kernel.processes().idle();
                    }
                    running.decrementAndGet();
                    kernel.machine().apic().kickAll();
                    // cpu_idle: the vCPU stays online, taking IPIs, until every vCPU has finished
                    kernel.machine().apic().spinUntil(() -> running.get() == 0 || problems.stop.get(), Long.MAX_VALUE / 4);
                } catch (RuntimeException | Error e) {
                    if (problems.record(e)) {
                        threads.forEach(Thread::interrupt);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            joinUninterruptibly(t);
        }
        if (points != null && !points.problems().isEmpty()) {
            problems.record(points.problems().get(0));
        }
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Long> hookMap(CountingOps ops) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Map.Entry<Hook, Long> e : ops.counts().entrySet()) {
            m.put(e.getKey().name(), e.getValue());
        }
        return m;
    }

    /**
     * The audits of a run and their findings, one at a time, at quiescent points. The findings are the
     * union of every audit's, as multisets: a finding that audits keep seeing (a stale shadow) is kept
     * once, and one that an audit reports n times (a backend's log of recorded violations, one per
     * refused call) n times, as that audit reported it.
     */
    private static final class Audits {
        private final ParavirtOps backend;
        private final List<RunReport.AuditRecord> records = new ArrayList<>();
        private final Map<Finding, Integer> findings = new LinkedHashMap<>();

        Audits(ParavirtOps backend) {
            this.backend = backend;
        }

        synchronized void take(AuditSchedule.Point point, long operation) {
            List<Finding> found = backend.audit();
            records.add(new RunReport.AuditRecord(point, operation, found.size()));
            Map<Finding, Integer> times = new LinkedHashMap<>();
            found.forEach(f -> times.merge(f, 1, Integer::sum));
            times.forEach((f, n) -> findings.merge(f, n, Math::max));
        }

        synchronized List<RunReport.AuditRecord> records() {
            return List.copyOf(records);
        }

        synchronized List<Finding> findings() {
            List<Finding> all = new ArrayList<>();
            findings.forEach((f, n) -> all.addAll(java.util.Collections.nCopies(n, f)));
            return all;
        }
    }

    /** What stopped the run, first come first kept. */
    private static final class Problems {
        final AtomicBoolean stop = new AtomicBoolean();
        final List<RunReport.ViolationRecord> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicReference<String> bug = new AtomicReference<>();
        final AtomicReference<String> failure = new AtomicReference<>();

        /** @return whether this was the first problem (the caller then stops the others) */
        boolean record(Throwable e) {
            boolean first = stop.compareAndSet(false, true);
            if (e instanceof ParavirtViolation v) {
                violations.add(new RunReport.ViolationRecord(v.ruleId(), v.pfn(), v.getMessage(), v.expected(), v.found()));
            } else if (e instanceof KernelOops b) {
                bug.compareAndSet(null, b.getMessage());
            } else if (first) {
                failure.compareAndSet(null, describe(e));
            }
            return first;
        }

        private static String describe(Throwable e) {
            StringBuilder sb = new StringBuilder(e.getClass().getName()).append(": ").append(e.getMessage());
            StackTraceElement[] st = e.getStackTrace();
            for (int i = 0; i < Math.min(4, st.length); i++) {
                sb.append("\n    at ").append(st[i]);
            }
            return sb.toString();
        }
    }
}
