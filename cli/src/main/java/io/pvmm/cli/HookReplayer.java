package io.pvmm.cli;

import io.pvmm.api.GuestMemory;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.ParavirtViolation;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.observe.Hook;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Feeds a {@link HookRecording} to a backend, without a guest: each call on the vCPU that made it
 * (a vCPU thread per recorded vCPU, one call at a time, in the recorded order), the guest's own
 * stores ({@code clearFrame}, {@code store}, and a {@code writeFault} the backend declines) performed
 * on memory directly. Stops at the first call the backend refuses.
 */
final class HookReplayer {

    /**
     * What the replay came to.
     *
     * @param counts  the calls made, by method (the refused or failed call included)
     * @param refused the call the backend refused, or null
     * @param refusal its violation, or null
     * @param failed  the call on which the backend threw something else, or null
     * @param failure that exception, or null
     */
    record Outcome(Map<Hook, Long> counts, HookRecording.Call refused, ParavirtViolation refusal,
                   HookRecording.Call failed, RuntimeException failure) {
    }

    private final ParavirtOps ops;
    private final GuestMemory memory;
    private final Map<Hook, Long> counts = new EnumMap<>(Hook.class);

    /**
     * A replayer onto one backend.
     *
     * @param ops    the backend, created for a machine of the recording's layout
     * @param memory that machine's memory
     */
    HookReplayer(ParavirtOps ops, GuestMemory memory) {
        this.ops = ops;
        this.memory = memory;
        for (Hook h : Hook.values()) {
            counts.put(h, 0L);
        }
    }

    /**
     * Replays a recording.
     *
     * @param recording the recording
     * @param progress  told of each call
     * @return the outcome
     */
    Outcome replay(HookRecording recording, Progress progress) {
        List<ExecutorService> cpus = new ArrayList<>();
        for (int i = 0; i < recording.vcpus(); i++) {
            int id = i;
            cpus.add(Executors.newSingleThreadExecutor(r -> new VcpuThread(id, "replay-vcpu-" + id, r)));
        }
        try {
            List<HookRecording.Call> calls = recording.calls();
            int i = 0;
            while (i < calls.size()) {
                int cpu = calls.get(i).vcpu();
                int end = i;
                while (end < calls.size() && calls.get(end).vcpu() == cpu) {
                    end++;
                }
                List<HookRecording.Call> batch = calls.subList(i, end);
                Future<Outcome> f = cpus.get(cpu).submit(() -> run(batch, progress));
                Outcome stopped = await(f);
                if (stopped != null) {
                    return stopped;
                }
                i = end;
            }
            return new Outcome(counts, null, null, null, null);
        } finally {
            cpus.forEach(ExecutorService::shutdownNow);
        }
    }

    private static Outcome await(Future<Outcome> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while replaying", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private Outcome run(List<HookRecording.Call> batch, Progress progress) {
        for (HookRecording.Call c : batch) {
            try {
                apply(c);
            } catch (ParavirtViolation v) {
                return new Outcome(counts, c, v, null, null);
            } catch (RuntimeException e) {
                return new Outcome(counts, null, null, c, e);
            }
            progress.operation();
        }
        return null;
    }

    private void apply(HookRecording.Call c) {
        long[] a = c.args();
        if (c.hook() == null) {
            if (c.method().equals(HookRecording.CLEAR_FRAME)) {
                memory.clearFrame(a[0]);
            } else {
                memory.writeEntry(a[0], a[1]);
            }
            return;
        }
        counts.merge(c.hook(), 1L, Long::sum);
        switch (c.hook()) {
            case allocPt -> ops.allocPt(a[0]);
            case allocPd -> ops.allocPd(a[0]);
            case allocPdClone -> ops.allocPdClone(a[0], a[1], (int) a[2], (int) a[3]);
            case releasePt -> ops.releasePt(a[0]);
            case releasePd -> ops.releasePd(a[0]);
            case setPte -> ops.setPte(a[0], a[1]);
            case setPteAt -> ops.setPteAt(a[0], a[1], a[2], a[3]);
            case setPteAtomic -> ops.setPteAtomic(a[0], a[1]);
            case setPmd -> ops.setPmd(a[0], a[1]);
            case setPgd -> ops.setPgd(a[0], a[1]);
            case pteClear -> ops.pteClear(a[0], a[1], a[2]);
            case pmdClear -> ops.pmdClear(a[0]);
            case pteUpdate -> ops.pteUpdate(a[0], a[1], a[2]);
            case writeFault -> {
                if (!ops.writeFault(a[0], a[1])) {
                    memory.writeEntry(a[0], a[1]); // the store goes through, as on hardware
                }
            }
            case activateMm -> ops.activateMm(a[0], a[1]);
            case writeCr3 -> ops.writeCr3(a[0]);
            case dupMmap -> ops.dupMmap(a[0], a[1]);
            case exitMmap -> ops.exitMmap(a[0]);
            case pagetableSetupStart -> ops.pagetableSetupStart(a[0]);
            case pagetableSetupDone -> ops.pagetableSetupDone(a[0]);
            case flushTlbUser -> ops.flushTlbUser();
            case flushTlbKernel -> ops.flushTlbKernel();
            case flushTlbSingle -> ops.flushTlbSingle(a[0]);
            case enterLazyMmu -> ops.enterLazyMmu();
            case leaveLazyMmu -> ops.leaveLazyMmu();
            case accessedDirtySet -> ops.accessedDirtySet(a[0], a[1], a[2], (int) a[3]);
            default -> throw new IllegalStateException("unhandled hook " + c.hook());
        }
    }
}
