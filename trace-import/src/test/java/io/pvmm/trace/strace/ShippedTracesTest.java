package io.pvmm.trace.strace;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Task;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.Op;
import io.pvmm.guest.workload.TraceWorkload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The traces shipped in {@code workloads/}: each is what importing its strace log gives, and each
 * replays on every backend on the class path, in both paging modes, with the comparison suite's checks.
 */
@DisplayName("The shipped traces")
class ShippedTracesTest {

    /** The repository's workloads directory, from the module's directory (Maven runs tests there). */
    static final Path WORKLOADS = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent().resolve("workloads");

    /** Take a snapshot of the translations after every this many operations, and at every exec. */
    private static final long SNAPSHOT_EVERY = 250;

    static Stream<Path> traces() throws IOException {
        try (Stream<Path> files = Files.list(WORKLOADS)) {
            List<Path> traces = files.filter(p -> p.toString().endsWith(".trace")).sorted().toList();
            assertThat(traces).as("traces in " + WORKLOADS).hasSizeGreaterThanOrEqualTo(3);
            return traces.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("traces")
    @DisplayName("are small, and are what importing their strace log gives")
    void reproducible(Path trace) throws Exception {
        Path log = trace.resolveSibling(trace.getFileName().toString().replace(".trace", ".strace"));

        assertThat(Files.size(trace)).isLessThan(1 << 20);
        assertThat(log).exists();
        ImportResult imported = StraceImporter.importFile(log, ImportOptions.DEFAULTS);
        assertThat(imported.ops()).isEqualTo(TraceWorkload.read(trace).ops());
        assertThat(imported.summary().processes()).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("traces")
    @DisplayName("replay on every backend in both paging modes: no violation, clean audit, balanced, no leak, same results")
    void replayEverywhere(Path trace) throws Exception {
        TraceWorkload workload = TraceWorkload.read(trace);
        List<BackendProvider> providers = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(providers::add);
        assertThat(providers).extracting(BackendProvider::name)
                .as("the built-in backends, so that the cross-backend comparison compares something")
                .contains("native", "vmi", "xen");
        for (PagingMode mode : PagingMode.values()) {
            Map<String, Object> reference = null;
            String referenceName = null;
            for (BackendProvider provider : providers) {
                if (!provider.pagingModes().contains(mode)) {
                    continue;
                }
                Snapshots snapshots = new Snapshots();
                RunReport report = new GuestRun(mode, GuestConfig.DEFAULTS, workload).observe(snapshots)
                        .run(BackendFactory.of(provider));
                String what = provider.name() + " " + mode + " " + trace.getFileName();
                assertClean(report, what);
                assertThat(report.operations()).as(what).isEqualTo(workload.ops().size());
                assertThat(report.outcomes()).as(what + " outcomes").containsEntry("OK", (long) workload.ops().size());
                Map<String, Object> results = new LinkedHashMap<>();
                results.put("outcomes", report.outcomes());
                results.put("operations", report.operations());
                results.put("translations", snapshots.taken);
                assertThat(snapshots.taken).as(what + " snapshots").isNotEmpty();
                if (reference == null) {
                    reference = results;
                    referenceName = provider.name();
                } else {
                    assertThat(results).as(what + " against " + referenceName).isEqualTo(reference);
                }
                RunReport smp = new GuestRun(mode, GuestConfig.DEFAULTS.withVcpus(2), workload).run(BackendFactory.of(provider));
                assertClean(smp, what + " on 2 vCPUs");
            }
        }
    }

    private static void assertClean(RunReport report, String what) {
        assertThat(report.failure()).as(what + " failure").isNull();
        assertThat(report.bug()).as(what + " guest BUG").isNull();
        assertThat(report.violations()).as(what + " violations").isEmpty();
        assertThat(report.findings()).as(what + " audit").isEmpty();
        assertThat(report.completed()).as(what + " completed").isTrue();
        assertThat(report.balanced()).as(what + " balanced").isTrue();
        assertThat(report.noLeak()).as(what + " no leak").isTrue();
    }

    /** The user-space translations of every live task, after each exec and every few operations. */
    private static final class Snapshots implements RunObserver {
        final List<String> taken = new ArrayList<>();

        @Override
        public void afterOp(GuestKernel kernel, int cpu, long index, Op op) {
            if (!(op instanceof Op.Exec) && index % SNAPSHOT_EVERY != 0) {
                return;
            }
            Mmu mmu = kernel.mmu();
            // Frames by identity: each distinct frame is labelled in the order the walk first meets it,
            // since which frame the allocator hands out depends on what boot used (no PSE under Xen
            // means more page-table frames), while which pages share a frame does not.
            Map<Long, Integer> labels = new HashMap<>();
            StringBuilder sb = new StringBuilder("after op " + index + ":");
            for (Map.Entry<Integer, Task> e : kernel.processes().tasks().entrySet()) {
                if (e.getValue().mm() == null) {
                    continue;
                }
                sb.append(" task ").append(e.getKey());
                mmu.forEachPage(e.getValue().mm().pgd(), 0, 0xC000_0000L, t -> sb.append(String.format(" %x=#%d%s%s",
                        t.va() >>> 12, labels.computeIfAbsent(t.pfn(), pfn -> labels.size()),
                        t.writable() ? "w" : "r", t.user() ? "u" : "k")));
            }
            taken.add(sb.toString());
        }
    }
}
