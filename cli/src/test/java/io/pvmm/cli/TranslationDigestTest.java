package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.backend.nativeops.NativeProvider;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Task;
import io.pvmm.guest.mm.MmStruct;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A translation snapshot")
class TranslationDigestTest {

    private static TranslationDigest snapshot(long seed, int processes) {
        AtomicReference<TranslationDigest> taken = new AtomicReference<>();
        GuestConfig config = GuestConfig.fromSettings(Map.of("seed", Long.toString(seed)));
        WorkloadSettings settings = new WorkloadSettings(processes, 16, 8, 10, 16);
        new GuestRun(PagingMode.TWO_LEVEL, config, BuiltInWorkloads.find("fork-exit", settings).orElseThrow())
                .observe(new RunObserver() {
                    @Override
                    public void workloadDone(GuestKernel kernel) {
                        taken.set(TranslationDigest.take(kernel));
                    }
                }).run(BackendFactory.of(new NativeProvider()));
        return taken.get();
    }

    @Test
    @DisplayName("is taken before shutdown: every lowmem page of the direct map, each live address space's resident pages, and the kernel's pages above high_memory")
    void takenBeforeShutdown() {
        AtomicReference<TranslationDigest> taken = new AtomicReference<>();
        AtomicLong expected = new AtomicLong();
        AtomicLong resident = new AtomicLong();
        WorkloadSettings settings = new WorkloadSettings(20, 16, 8, 10, 16);
        new GuestRun(PagingMode.TWO_LEVEL, GuestConfig.fromSettings(Map.of("seed", "1")), BuiltInWorkloads.find("fork-exit", settings).orElseThrow())
                .observe(new RunObserver() {
                    @Override
                    public void workloadDone(GuestKernel kernel) {
                        taken.set(TranslationDigest.take(kernel));
                        // rss is the mm's own count of mapped user ptes, kept by the fault, fork and zap paths
                        Set<MmStruct> mms = new HashSet<>();
                        kernel.processes().tasks().values().stream().map(Task::mm).filter(Objects::nonNull).forEach(mms::add);
                        mms.forEach(mm -> resident.addAndGet(mm.rss().get()));
                        long highMemory = PagingMode.PAGE_OFFSET + (kernel.layout().maxLowPfn() << PagingMode.PAGE_SHIFT);
                        long[] aboveHighMemory = new long[1];
                        kernel.mmu().forEachPage(kernel.layout().swapperPgDir(), highMemory, 1L << 32, t -> aboveHighMemory[0]++);
                        expected.set(kernel.layout().maxLowPfn() + resident.get() + aboveHighMemory[0]);
                    }
                }).run(BackendFactory.of(new NativeProvider()));

        assertThat(resident.get()).as("resident user pages of the processes still alive when the workload ends").isPositive();
        assertThat(taken.get().pages()).as("max_low_pfn + the live mms' rss + kernel pages above high_memory")
                .isEqualTo(expected.get());
    }

    @Test
    @DisplayName("two runs of one workload and seed agree, with equal digests")
    void sameRunsAgree() {
        TranslationDigest a = snapshot(3, 20);
        TranslationDigest b = snapshot(3, 20);

        assertThat(a.compare(b).none()).isTrue();
        assertThat(a.digest()).isEqualTo(b.digest());
    }

    @Test
    @DisplayName("runs that map different pages differ, and the difference is described")
    void differentRunsDiffer() {
        TranslationDigest a = snapshot(3, 20);
        TranslationDigest b = snapshot(4, 20);

        TranslationDigest.Differences d = a.compare(b);
        assertThat(d.count()).isPositive();
        assertThat(d.examples()).isNotEmpty().allSatisfy(e -> assertThat(e).containsPattern("only (here|in the reference): pid \\d+ 0x"));
        assertThat(a.digest()).isNotEqualTo(b.digest());
    }
}
