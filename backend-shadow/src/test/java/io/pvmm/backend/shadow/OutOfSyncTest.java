package io.pvmm.backend.shadow;

import static io.pvmm.backend.shadow.ShadowGuest.HEAP;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunObserver;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Out-of-sync pte pages change when the monitor learns of stores, never what the hardware ends up translating. */
class OutOfSyncTest {

    private static final WorkloadSettings SIZES = new WorkloadSettings(40, 8, 6, 40, 8);

    /**
     * After a TLB flush, the translation the hardware uses for every user page of every live address
     * space: the shadow pte where it is synced, else what the hidden fault would sync.
     */
    private static Map<String, Long> translations(PagingMode mode, boolean oos, long[] unsyncs) {
        CapturingFactory factory = new CapturingFactory(Map.of(ShadowProvider.OUT_OF_SYNC, Boolean.toString(oos)));
        Map<String, Long> out = new TreeMap<>();
        RunReport r = new GuestRun(mode, GuestConfig.DEFAULTS, BuiltInWorkloads.find("fork-exit", SIZES).orElseThrow())
                .observe(new RunObserver() {
                    @Override
                    public void workloadDone(GuestKernel kernel) {
                        ShadowOps ops = factory.backend();
                        ops.flushTlbUser();
                        assertThat(ops.audit()).isEmpty();
                        ShadowPager pager = ops.pager();
                        PageTables t = kernel.tables();
                        P2m p2m = new P2m(mode, kernel.physicalMemory().frames(), 7);
                        for (long root : kernel.processes().liveRoots()) {
                            for (long va = 0; va < 0xC000_0000L; va += mode.pmdSize()) {
                                long pmd = t.read(t.pmdEntryFor(root, va));
                                if (!EntryBits.isPresent(pmd) || EntryBits.isLarge(pmd)) {
                                    continue;
                                }
                                for (long a = va; a < va + mode.pmdSize(); a += 4096) {
                                    long guest = t.read(t.pteOffset(pmd, a));
                                    if (!EntryBits.isPresent(guest)) {
                                        continue;
                                    }
                                    long shadow = pager.shadowPte(root, a);
                                    long expected = p2m.translate(guest);
                                    long used = shadow == 0 || shadow == -1 ? expected : shadow;
                                    assertThat(used).as("0x%x through root 0x%x", a, root).isEqualTo(expected);
                                    out.put(Long.toHexString(root) + ":" + Long.toHexString(a), used);
                                }
                            }
                        }
                        unsyncs[0] = ops.counters().get("unsyncs");
                    }
                }).run(factory);
        assertThat(r.findings()).isEmpty();
        assertThat(r.completed()).isTrue();
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a flush on another vCPU brings an out-of-sync page's shadow up to date and leaves it out of sync;"
            + " its own vCPU's flush resyncs and protects it")
    void flushOnAnotherVcpuLeavesPageOutOfSync(PagingMode mode) {
        ShadowGuest g = new ShadowGuest(mode, Map.of(ShadowProvider.OUT_OF_SYNC, "true"), 2);
        long root = g.root(1);
        long page = HEAP + 0x1000;
        g.onVcpu(0, () -> {
            assertThat(g.p.touch(1, HEAP, true)).isEqualTo(Outcome.OK);  // the pte page's first store traps: out of sync
            assertThat(g.p.touch(1, page, true)).isEqualTo(Outcome.OK);  // untrapped; the walk's hidden fault syncs it
        });
        long ptePage = g.ptePage(root, HEAP);
        Shadow l1 = g.pager().tableOf(ptePage);
        assertThat(l1.isOutOfSync()).isTrue();
        assertThat(g.pager().shadowPte(root, page)).isEqualTo(g.p2m.translate(g.pte(root, page))).isNotZero();
        long ptePa = g.kernel.tables().pteOffset(g.kernel.tables().read(g.kernel.tables().pmdEntryFor(root, page)), page);
        g.onVcpu(0, () -> { // ptep_get_and_clear of a zap, before its flush: a store vCPU 0 makes without trapping
            g.kernel.physicalMemory().writeEntry(ptePa, 0);
            g.kernel.physicalMemory().traps().entryStored(ptePa, 0);
        });
        assertThat(g.isProtected(ptePage)).isFalse();
        long resyncs = g.counter("resyncs");
        long refreshes = g.ops.counters().getOrDefault("oos-refreshes", 0L);

        g.onVcpu(1, g.ops::flushTlbUser);

        assertThat(g.isProtected(ptePage)).as("write access is left to the vCPU that was given it").isFalse();
        assertThat(l1.isOutOfSync()).isTrue();
        assertThat(g.pager().shadowPte(root, page)).as("the cleared pte reached the shadow").isZero();
        assertThat(g.counter("resyncs")).as("no page of vCPU 0 resynced by vCPU 1").isEqualTo(resyncs);
        assertThat(g.counter("oos-refreshes")).as("vCPU 0's pages brought up to date").isGreaterThan(refreshes);
        assertThat(g.ops.audit()).isEmpty();

        g.onVcpu(0, g.ops::flushTlbUser);

        assertThat(g.counter("resyncs")).isGreaterThan(resyncs);
        assertThat(l1.isOutOfSync()).isFalse();
        assertThat(g.isProtected(ptePage)).isTrue();
        assertThat(g.ops.audit()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("the out-of-sync option gives the same translations as sync mode")
    void unsyncGivesSameTranslationsAsSync(PagingMode mode) {
        long[] syncUnsyncs = {-1};
        long[] oosUnsyncs = {-1};
        Map<String, Long> sync = translations(mode, false, syncUnsyncs);
        Map<String, Long> oos = translations(mode, true, oosUnsyncs);

        assertThat(sync).isNotEmpty();
        assertThat(oos).isEqualTo(sync);
        assertThat(syncUnsyncs[0]).isZero();
        assertThat(oosUnsyncs[0]).as("pte pages did go out of sync").isPositive();
    }
}
