package io.pvmm.backend.xen;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendSettings;
import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.GuestMachine;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.mm.Mmap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lazy MMU mode saves hypercalls: fork's copy into the child, which is not pinned yet, is a run of
 * {@code mmu_update}s that a batching guest sends as a few multicalls — and the guest ends up exactly
 * where an unbatched guest does.
 */
class LazyBatchingTest {

    /** What a run of the scenario leaves. */
    private record Outcome(long secondForkHypercalls, long secondForkMulticalls, List<Mmu.Translation> translations,
                           List<Long> childTables) {
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("a fork in lazy mode issues fewer hypercalls than the same fork unbatched, and leaves the same guest state")
    void forkBatches(PagingMode mode, TestReporter reporter) {
        Outcome batched = forkTwice(mode, true);
        Outcome unbatched = forkTwice(mode, false);

        reporter.publishEntry("second fork", mode.configName() + ": " + batched.secondForkHypercalls() + " hypercalls ("
                + batched.secondForkMulticalls() + " multicalls) batched, " + unbatched.secondForkHypercalls() + " unbatched");
        assertThat(batched.secondForkHypercalls()).isLessThan(unbatched.secondForkHypercalls());
        assertThat(batched.secondForkMulticalls()).isGreaterThan(unbatched.secondForkMulticalls()); // the pin's batch is in both
        assertThat(batched.translations()).isNotEmpty().isEqualTo(unbatched.translations());
        assertThat(batched.childTables()).isNotEmpty().isEqualTo(unbatched.childTables());
    }

    /** init execs and touches its memory, forks once (write-protecting its private pages), then again. */
    private static Outcome forkTwice(PagingMode mode, boolean batching) {
        XenProvider provider = new XenProvider();
        GuestMachine machine = GuestMachine.create(mode, XenEndToEndTest.GUEST, provider.platform(mode));
        ParavirtOps ops = provider.create(machine.backendContext(
                BackendSettings.of(provider.settings(), Map.of("lazy-batching", Boolean.toString(batching)))));
        GuestKernel kernel = machine.boot(ops);
        Processes p = kernel.processes();
        p.spawnKernelThread(1);
        ExecImage image = new ExecImage(1, 24, 8, 8, 2);
        assertThat(p.exec(1, image)).isEqualTo(Processes.Outcome.OK);
        for (int i = 0; i < 24; i++) {
            assertThat(p.touch(1, ExecImage.TEXT_START + i * 4096L, false)).isEqualTo(Processes.Outcome.OK);
        }
        for (int i = 24; i < 40; i++) {
            assertThat(p.touch(1, ExecImage.TEXT_START + i * 4096L, true)).isEqualTo(Processes.Outcome.OK);
        }
        assertThat(p.fork(1, 2)).isEqualTo(Processes.Outcome.OK);

        long hypercalls = ops.counters().get("hypercalls");
        long multicalls = ops.counters().get("multicalls");
        assertThat(p.fork(1, 3)).isEqualTo(Processes.Outcome.OK);
        long forkHypercalls = ops.counters().get("hypercalls") - hypercalls;
        long forkMulticalls = ops.counters().get("multicalls") - multicalls;

        assertThat(ops.audit()).isEmpty();
        List<Mmu.Translation> translations = new ArrayList<>();
        for (int pid = 1; pid <= 3; pid++) {
            kernel.mmu().forEachPage(p.task(pid).mm().pgd(), 0, Mmap.TASK_SIZE, translations::add);
        }
        return new Outcome(forkHypercalls, forkMulticalls, translations,
                userTables(machine.memory(), mode, p.task(3).mm().pgd(), ops));
    }

    /** Every raw entry of the user part of a tree, level by level. */
    private static List<Long> userTables(GuestMemory memory, PagingMode mode, long root, ParavirtOps ops) {
        List<Long> raw = new ArrayList<>();
        List<Long> l2s = new ArrayList<>();
        if (mode == PagingMode.PAE) {
            for (int i = 0; i < mode.userPtrsPerPgd(); i++) {
                long e = memory.readEntry(root + i * 8L);
                raw.add(e);
                l2s.add(ops.entryValue(e) & mode.frameMask());
            }
        } else {
            l2s.add(root);
        }
        int l2Entries = mode == PagingMode.PAE ? mode.ptrsPerPmd() : mode.userPtrsPerPgd();
        for (long l2 : l2s) {
            for (int j = 0; j < l2Entries; j++) {
                long e = memory.readEntry(l2 + (long) j * mode.entryBytes());
                raw.add(e);
                if (EntryBits.isPresent(e)) {
                    long pte = ops.entryValue(e) & mode.frameMask();
                    for (int k = 0; k < mode.ptrsPerPte(); k++) {
                        raw.add(memory.readEntry(pte + (long) k * mode.entryBytes()));
                    }
                }
            }
        }
        return raw;
    }
}
