package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Hook balance over whole runs, the audit at every sampled quiescent point, and the counters. */
abstract class BookkeepingRules extends KitRules {

    /** Counter names: lower-case words joined by dots or dashes. */
    static final Pattern COUNTER = Pattern.compile("[a-z][a-z0-9]*([.-][a-z0-9]+)*");
    /** The operations after each of which the audit runs; after them, every fourth. */
    private static final long EVERY_OPERATION_UNTIL = 64;

    BookkeepingRules(Supplier<BackendUnderTest> backend) {
        super(backend);
    }

    @Test
    @DisplayName("matches every alloc hook with a release and gives every frame back once the processes exit")
    void hooksBalanceAfterAFullRun() {
        for (PagingMode mode : modes()) {
            for (String workload : List.of("fork-exit", "pageattr", "smp-mixed")) {
                RunReport report = backend().run(mode, KitRules.GUEST,
                        BuiltInWorkloads.find(workload, BootRules.SMALL).orElseThrow(), RunObserver.NONE);
                RunAssertions.assertClean(report, workload + " in " + mode.configName() + " mode");
                assertThat(report.hooks().get("releasePt")).as("%s released pte tables", workload).isPositive();
            }
        }
    }

    @Test
    @DisplayName("runs clean, with the results of a run that gets them, when the five lifecycle hooks are withheld from it")
    void runsCleanWithTheLifecycleHooksWithheld() {
        org.junit.jupiter.api.Assumptions.assumeTrue(backend().has(Behavior.FINDS_PAGE_TABLES_WITHOUT_HOOKS),
                () -> backend().name() + " does not declare Behavior.FINDS_PAGE_TABLES_WITHOUT_HOOKS: it may rely on the hooks");
        for (PagingMode mode : modes()) {
            for (String workload : List.of("fork-exit", "pageattr")) {
                var w = BuiltInWorkloads.find(workload, BootRules.SMALL).orElseThrow();
                RunReport withheld = new GuestRun(mode, KitRules.GUEST, w).run(WithheldHooks.around(backend().factory()));
                RunReport told = backend().run(mode, KitRules.GUEST, w, RunObserver.NONE);
                String where = workload + " in " + mode.configName() + " mode with the lifecycle hooks withheld";
                RunAssertions.assertClean(withheld, where);
                assertThat(withheld.outcomes()).as("%s: outcomes", where).isEqualTo(told.outcomes());
                assertThat(withheld.operations()).as("%s: operations", where).isEqualTo(told.operations());
            }
        }
    }

    @Test
    @DisplayName("has an empty audit after each of the first operations of a run on one vCPU, and after every fourth one")
    void auditIsEmptyAtSampledQuiescentPoints() {
        for (PagingMode mode : modes()) {
            List<String> problems = new ArrayList<>();
            long[] audits = {0};
            RunReport report = backend().run(mode, KitRules.GUEST,
                    BuiltInWorkloads.find("smp-mixed", BootRules.SMALL).orElseThrow(), new RunObserver() {
                        @Override
                        public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
                            if (index > EVERY_OPERATION_UNTIL && index % 4 != 0) {
                                return;
                            }
                            audits[0]++;
                            if (problems.size() < 5) {
                                kernel.ops().audit().forEach(f -> problems.add("after operation " + index + " (" + op.traceLine() + "): " + f));
                            }
                        }
                    });
            assertThat(problems).as("audit in %s mode", mode.configName()).isEmpty();
            assertThat(audits[0]).as("audits").isGreaterThan(Math.min(report.operations(), EVERY_OPERATION_UNTIL));
            RunAssertions.assertClean(report, "smp-mixed in " + mode.configName() + " mode");
        }
    }

    @Test
    @DisplayName("reports counters that are never negative")
    void countersAreNeverNegative() {
        for (PagingMode mode : modes()) {
            for (Map<String, Long> sample : counterSamples(mode)) {
                assertThat(sample.values()).as("counters %s in %s mode", sample, mode.configName()).allMatch(v -> v != null && v >= 0);
            }
        }
    }

    @Test
    @DisplayName("names its counters in lower case: words joined by dots or dashes")
    void namesCountersInLowerCase() {
        for (PagingMode mode : modes()) {
            for (Map<String, Long> sample : counterSamples(mode)) {
                assertThat(sample.keySet()).as("counter names in %s mode", mode.configName()).allMatch(k -> COUNTER.matcher(k).matches());
            }
        }
    }

    @Test
    @DisplayName("reports the same counter names in the same order on every call")
    void keepsCounterNamesAndOrder() {
        for (PagingMode mode : modes()) {
            List<Map<String, Long>> samples = counterSamples(mode);
            List<String> first = List.copyOf(samples.get(0).keySet());
            for (Map<String, Long> sample : samples) {
                assertThat(List.copyOf(sample.keySet())).as("counter names in %s mode", mode.configName()).isEqualTo(first);
            }
        }
    }

    /** The counters right after creation, after boot, every 32 operations and at the end of a run. */
    private List<Map<String, Long>> counterSamples(PagingMode mode) {
        List<Map<String, Long>> samples = new ArrayList<>();
        BackendFactory real = backend().factory();
        BackendFactory sampling = new BackendFactory() {
            @Override
            public String name() {
                return real.name();
            }

            @Override
            public PlatformRequirements platform(PagingMode m) {
                return real.platform(m);
            }

            @Override
            public BackendSettings settings() {
                return real.settings();
            }

            @Override
            public ParavirtOps create(BackendContext context) {
                ParavirtOps ops = real.create(context);
                samples.add(ops.counters());
                return ops;
            }
        };
        RunReport report = new GuestRun(mode, KitRules.GUEST, BuiltInWorkloads.find("smp-mixed", BootRules.SMALL).orElseThrow())
                .observe(new RunObserver() {
                    @Override
                    public void booted(GuestKernel kernel) {
                        samples.add(kernel.ops().counters());
                    }

                    @Override
                    public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
                        if (index % 32 == 0) {
                            samples.add(kernel.ops().counters());
                        }
                    }
                }).run(sampling);
        samples.add(report.counters());
        assertThat(samples).as("counter samples").allMatch(s -> s != null);
        return samples;
    }
}
