package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.guest.run.RunReport;

/** What every backend owes at the end of a run of a correct guest. */
public final class RunAssertions {

    private RunAssertions() {
    }

    /**
     * The run completed with no violation, no guest {@code BUG()}, no other failure and an empty audit;
     * every announcement was matched by a release ({@link RunReport#balanced()}) and every frame came
     * back to the free pool ({@link RunReport#noLeak()}).
     *
     * @param report the run's report
     * @param where  names the run in failure messages
     */
    public static void assertClean(RunReport report, String where) {
        assertThat(report.violations()).as("%s: violations", where).isEmpty();
        assertThat(report.bug()).as("%s: guest BUG()", where).isNull();
        assertThat(report.failure()).as("%s: backend failure", where).isNull();
        assertThat(report.completed()).as("%s: the workload ran to its end and the guest shut down", where).isTrue();
        assertThat(report.findings()).as("%s: audit at the end", where).isEmpty();
        assertThat(report.balanced()).as("%s: every alloc hook matched by a release (hooks %s, at boot %s)",
                where, report.hooks(), report.bootHooks()).isTrue();
        assertThat(report.noLeak()).as("%s: free pages back to %d after boot, less %d new kernel pte pages; found %d",
                where, report.bootFreePages(), report.kernelTables(), report.freePages()).isTrue();
    }
}
