package io.pvmm.cli;

import io.pvmm.api.Finding;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestMachine;
import io.pvmm.guest.observe.Hook;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.Selection;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.RuntimeKeys;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pvmm replay-hooks FILE --backend B}: feeds a hook recording to a backend without the guest,
 * on a machine of the recorded layout, and reports the first call the backend refuses; when it refuses
 * none, audits it once the last call has returned. There is no guest, so there are no frames to leak
 * and no {@code BUG()} to hit: a refusal and an audit finding are what exit code 4 means here.
 */
@Command(name = "replay-hooks", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Feed a hook recording to a backend without the guest, and report the first call it refuses.",
            "The recording is what 'pvmm run --record-hooks' wrote; a refusal is printed with its rule and the recording's line."},
        footerHeading = "%nExamples:%n",
        footer = {"  pvmm run --backend native --workload fork-exit --record-hooks fork.hooks",
            "  pvmm replay-hooks fork.hooks --backend xen",
            "  pvmm replay-hooks fork.hooks --backend vmi --set vmi.p2m-seed=7"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:the backend accepted every call and its audit at the end found nothing",
            "1:the backend threw something other than a violation (PVMM-E017)",
            "2:usage error, or the recording is missing or malformed (PVMM-E030, PVMM-E031)",
            "3:backend selection error (PVMM-E001..E007)",
            "4:the backend refused a call (its rule and the line are printed), or its audit at the end found something"})
final class ReplayHooksCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "A hook recording written by pvmm run --record-hooks.")
    Path file;

    @Option(names = "--backend", paramLabel = "NAME", completionCandidates = Completions.Backends.class, description = "The backend to feed (overrides pvmm.backend, PVMM_BACKEND, the file).")
    String backend;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar, even on a terminal (cli.quiet).")
    boolean quiet;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    SystemPropertyOptions systemProperties;

    ReplayHooksCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path path = context.workingDirectory().resolve(file);
        HookRecording recording = HookRecording.read(path, "FILE argument");
        ConfigInputs inputs = configOptions.applyTo(context.inputs());
        if (backend != null) {
            inputs = inputs.withOption(RuntimeKeys.BACKEND, backend, "--backend");
        }
        inputs = OptionConflicts.check(inputs).withOption(RuntimeKeys.MODE, recording.mode().configName(), "the recording's header");
        if (quiet) {
            inputs = inputs.withOption("cli.quiet", "true", "--quiet");
        }
        PvmmRuntime runtime = context.runtime(inputs);
        Configuration config = runtime.configure(inputs);
        Selection selection = runtime.select(config);
        Map<String, String> guest = new LinkedHashMap<>();
        guest.put("memory-mib", Long.toString(recording.memoryMib()));
        guest.put("vcpus", Integer.toString(recording.vcpus()));
        guest.put("pse", Boolean.toString(recording.platform().allowsPse()));
        guest.put("pge", Boolean.toString(recording.platform().allowsPge()));
        GuestMachine machine = GuestMachine.create(recording.mode(), GuestConfig.fromSettings(guest), recording.platform());
        ParavirtOps ops = runtime.createBackend(selection, recording.mode(), machine.backendContext(selection.settings()));
        out.printf("replaying %s (%d calls, recorded on %s, %s) on backend %s%n", path, recording.counts().values().stream()
                .mapToLong(Long::longValue).sum(), recording.header().getOrDefault("backend", "?"), recording.mode().configName(), selection.name());
        String mismatch = platformMismatch(recording, selection);
        if (!mismatch.isEmpty()) {
            out.println("note: " + mismatch);
        }
        HookReplayer.Outcome outcome;
        boolean shown = context.terminal() && !config.get("cli.quiet").value().equals("true");
        try (Progress progress = Progress.open(spec.commandLine().getErr(), shown, 1)) {
            progress.start("replay-hooks " + selection.name());
            outcome = new HookReplayer(ops, machine.memory()).replay(recording, progress);
            progress.finish();
        }
        out.println("calls made, by method:");
        StringBuilder line = new StringBuilder(" ");
        for (Map.Entry<Hook, Long> e : outcome.counts().entrySet()) {
            if (e.getValue() != 0) {
                line.append(' ').append(e.getKey().name()).append(' ').append(e.getValue());
            }
        }
        out.println(line);
        if (outcome.failed() != null) {
            out.flush();
            throw new PvmmException(PvmmError.BACKEND_FAILURE, path + " line " + outcome.failed().line(), Map.of("name", selection.name(),
                    "exception", outcome.failure().getClass().getName(), "operation", outcome.failed().text(),
                    "cause", PvmmException.describe(outcome.failure())));
        }
        if (outcome.refused() != null) {
            out.printf("REFUSED at line %d: %s%n", outcome.refused().line(), outcome.refused().text());
            out.printf("  rule %s%n", outcome.refusal().ruleId());
            out.printf("  %s%n", outcome.refusal().getMessage());
            return ExitCodes.FINDINGS;
        }
        out.println("no refusal: " + selection.name() + " accepted every call");
        List<Finding> findings = ops.audit(); // the end of the recording is a quiescent point: every call has returned
        out.printf("audit at the end: %s%n", findings.isEmpty() ? "no finding" : findings.size() + " finding" + (findings.size() == 1 ? "" : "s"));
        findings.stream().limit(20).forEach(f -> out.println("  " + f));
        if (findings.size() > 20) {
            out.printf("  ... and %d more%n", findings.size() - 20);
        }
        return findings.isEmpty() ? ExitCodes.OK : ExitCodes.FINDINGS;
    }

    private static String platformMismatch(HookRecording recording, Selection selection) {
        var wanted = selection.backend().platform().get(recording.mode());
        var had = recording.platform();
        StringBuilder sb = new StringBuilder();
        if (wanted != null && had.allowsPse() && !wanted.allowsPse()) {
            sb.append("the guest was recorded with PSE allowed, which ").append(selection.name()).append(" forbids; ");
        }
        if (wanted != null && wanted.reservedTop() != had.reservedTop()) {
            sb.append(selection.name()).append(" reserves 0x").append(Long.toHexString(wanted.reservedTop()))
                    .append(" at the top, the recorded guest 0x").append(Long.toHexString(had.reservedTop())).append("; ");
        }
        if (wanted != null && wanted.unsharedKernelPmd() && !had.unsharedKernelPmd() && recording.mode() == io.pvmm.api.PagingMode.PAE) {
            sb.append(selection.name()).append(" needs an unshared kernel pmd, the recorded guest shared it; ");
        }
        return sb.length() == 0 ? "" : sb.append("expect refusals that a guest built for it would not cause").toString();
    }
}
