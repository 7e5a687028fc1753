package io.pvmm.cli;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.cost.PerOperation;
import io.pvmm.guest.workload.LmbenchWorkload;
import io.pvmm.guest.workload.LmbenchWorkloads;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.Selection;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.RuntimeKeys;
import io.pvmm.runtime.cost.CostEstimate;
import io.pvmm.runtime.cost.CostModel;
import io.pvmm.runtime.cost.CostProfile;
import io.pvmm.runtime.guest.GuestRuntime;
import io.pvmm.runtime.guest.SelectedBackend;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code pvmm validate}: holds pvmm's predicted slowdowns against the published lmbench measurements
 * of docs/validation.md, row by row. Each row's workload runs on native and on the row's backend in
 * 2-level mode; their counts per operation are priced with the row's profile. The predicted ratio is
 * native's published time plus pvmm's estimate of what the backend adds, over native's published time
 * (the overhead); pvmm's ratio of its own two estimates is shown beside it. The residual is the
 * prediction over the published ratio, less one.
 */
@Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Predict the slowdowns of the published lmbench rows pvmm's workloads cover.",
            "Prints them beside the published ratios, with their residuals: the table of docs/validation.md, from a run."})
final class ValidateCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    ValidateCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        ConfigInputs inputs = configOptions.applyTo(context.inputs());
        PvmmRuntime runtime = context.runtime(inputs);
        Configuration config = runtime.configure(inputs);
        runtime.registry().requireBackends();
        Map<String, PerOperation> measured = new HashMap<>();
        Map<String, CostModel> models = new HashMap<>();
        PrintWriter out = spec.commandLine().getOut();
        out.println("| row | source | measure | unit | native | virtualized | published ratio | pvmm backend | profile "
                + "| predicted ratio | residual | pvmm-only ratio | residual | figures |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        Set<String> profiles = new LinkedHashSet<>();
        for (ValidationRows.Row row : ValidationRows.ROWS) {
            profiles.add(row.profile());
            String head = String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.2f | %s | %s ", row.id(), row.source(), row.measure(),
                    row.unit(), fig(row.nativeFig()), fig(row.virtFig()), row.publishedRatio(), row.backend(), row.profile());
            if (row.workload() == null || runtime.registry().find(row.backend()).isEmpty()) {
                out.println(head + "| not covered | | | | " + row.certainty() + " |");
                continue;
            }
            CostModel model = models.computeIfAbsent(row.profile(), p -> CostModel.of(p, overrides(runtime, config), backends(runtime)));
            CostEstimate nat = price(runtime, inputs, model, measured, row.workload(), RuntimeKeys.DEFAULT_BACKEND);
            CostEstimate virt = price(runtime, inputs, model, measured, row.workload(), row.backend());
            if (!virt.priced() || !nat.priced()) {
                out.println(head + "| " + CostEstimate.NO_COST_MODEL + " | | | | " + row.certainty() + " |");
                continue;
            }
            double base = row.nativeCycles(model.guestProfile().clockGhz());
            double predicted = (base + virt.cycles() - nat.cycles()) / base;
            double own = virt.cycles() / nat.cycles();
            out.println(head + String.format(Locale.ROOT, "| %.2f | %s | %.2f | %s | %s |", predicted,
                    row.fitted() ? "fitted here" : pct(predicted / row.publishedRatio() - 1), own,
                    pct(own / row.publishedRatio() - 1), row.certainty()));
        }
        out.println();
        for (String p : profiles) {
            CostProfile g = models.computeIfAbsent(p, q -> CostModel.of(q, overrides(runtime, config), backends(runtime))).guestProfile();
            out.printf(Locale.ROOT, "Profile %s: cycles at %.1f GHz, %s.%n", p, g.clockGhz(), g.clock());
        }
        out.println("Predicted ratio: (native's published time + pvmm's estimate of what the backend adds) / native's published time.");
        out.println("pvmm-only ratio: pvmm's estimate on the backend / pvmm's estimate on native. Residual: predicted / published - 1.");
        out.println("Rows marked 'fitted here' set a cost (docs/validation.md names it) and are not predictions.");
        out.println();
        for (ValidationRows.Row row : ValidationRows.ROWS) {
            out.println("- " + row.id() + ": " + row.note() + ".");
        }
        out.flush();
        return ExitCodes.OK;
    }

    private CostEstimate price(PvmmRuntime runtime, ConfigInputs inputs, CostModel model, Map<String, PerOperation> measured,
                               String workload, String backend) {
        PerOperation per = measured.computeIfAbsent(workload + "/" + backend, k -> {
            Configuration one = runtime.configure(inputs.withOption(RuntimeKeys.BACKEND, backend, "validate")
                    .withOption(RuntimeKeys.MODE, PagingMode.TWO_LEVEL.configName(), "validate"));
            Selection selection = runtime.select(one);
            GuestConfig guest = GuestRuntime.guestConfig(runtime.registry(), one, selection);
            LmbenchWorkload w = LmbenchWorkloads.all(LmbenchWorkloads.ITERATIONS).get(workload);
            return PerOperation.measure(w, PagingMode.TWO_LEVEL, guest, new SelectedBackend(runtime, selection));
        });
        return model.price(runtime.registry().find(backend).orElseThrow().provider(), per.counts());
    }

    private static Map<String, String> overrides(PvmmRuntime runtime, Configuration config) {
        Map<String, String> m = new HashMap<>();
        runtime.keys().namespaceSpecs(CostSettings.NAMESPACE).stream().filter(s -> !s.key().equals("profile")).forEach(s -> {
            String v = config.get(CostSettings.NAMESPACE + "." + s.key()).value();
            if (!v.isBlank()) {
                m.put(s.key(), v);
            }
        });
        return m;
    }

    private static Set<String> backends(PvmmRuntime runtime) {
        return new LinkedHashSet<>(runtime.registry().names());
    }

    private static String fig(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%s", v);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%+.0f%%", v * 100);
    }
}
