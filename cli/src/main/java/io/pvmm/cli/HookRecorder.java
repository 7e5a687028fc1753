package io.pvmm.cli;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.observe.RecordingOps;
import io.pvmm.guest.run.BackendFactory;
import java.util.Map;
import java.util.Objects;

/**
 * Records a run's hook calls ({@code pvmm run --record-hooks FILE}): a backend factory that wraps the
 * backend it creates in a {@link RecordingOps} writing to the file, after the header that
 * {@link HookRecording} documents. The file appears only when {@link #finish()} commits it.
 */
final class HookRecorder implements BackendFactory {

    private final BackendFactory inner;
    private final AtomicOutput out;
    private final Map<String, String> info;
    private RecordingOps recording;

    /**
     * Wraps a factory.
     *
     * @param inner the backend's factory
     * @param out   the recording file
     * @param info  header lines that only describe the run ({@code workload}, {@code seed}), in order
     */
    HookRecorder(BackendFactory inner, AtomicOutput out, Map<String, String> info) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.out = Objects.requireNonNull(out, "out");
        this.info = info;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public PlatformRequirements platform(PagingMode mode) {
        return inner.platform(mode);
    }

    @Override
    public BackendSettings settings() {
        return inner.settings();
    }

    @Override
    public ParavirtOps create(BackendContext context) {
        GuestLayout layout = context.layout();
        out.line(HookRecording.MAGIC + " " + HookRecording.VERSION);
        out.line("# pvmm " + VersionProvider.projectVersion() + ": every hook call of a run, one per line; see docs/cli.md");
        out.line("mode " + layout.mode().configName());
        out.line("memory-mib " + (layout.maxPfn() >> 8));
        out.line("vcpus " + context.vcpus());
        out.line("pse " + layout.pse());
        out.line("pge " + layout.pge());
        out.line("reserved-top 0x" + Long.toHexString(HookRecording.TOP_FIXADDR - layout.fixaddrTop()));
        out.line("unshared-kernel-pmd " + (layout.mode() == PagingMode.PAE && !layout.sharedKernelPmd()));
        out.line("backend " + inner.name());
        info.forEach((k, v) -> out.line(k + " " + v));
        out.line(HookRecording.CALLS);
        recording = new RecordingOps(inner.create(context), context.memory(), layout.mode(), context::currentCpu, this::line);
        return recording;
    }

    private void line(String line) {
        out.line(line);
    }

    /**
     * Ends the file with its {@code end} line and moves it into place.
     *
     * @return the calls recorded
     */
    long finish() {
        long calls = recording == null ? 0 : recording.calls();
        if (recording == null) {
            throw new IllegalStateException("the backend was never created, so nothing was recorded");
        }
        out.line(HookRecording.END + " " + calls);
        out.commit();
        return calls;
    }
}
