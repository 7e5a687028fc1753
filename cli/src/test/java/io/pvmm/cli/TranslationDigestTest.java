package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.backend.nativeops.NativeProvider;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.Map;
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
    @DisplayName("is taken before shutdown, with the live processes' pages and the kernel's direct map")
    void takenBeforeShutdown() {
        TranslationDigest s = snapshot(1, 20);

        assertThat(s.pages()).as("256 MiB of direct map plus user pages").isGreaterThan(65_536);
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
