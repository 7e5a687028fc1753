package io.pvmm.cli;

import io.pvmm.guest.run.RunReport;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.util.Map;

/**
 * What a run that stopped short becomes on the command line: {@link PvmmError#BACKEND_FAILURE} when
 * something other than a violation was thrown, {@link PvmmError#GUEST_BUG} when the model's own
 * {@code BUG_ON} fired without a bug injected on purpose.
 */
final class RunFailures {

    private RunFailures() {
    }

    /**
     * The error for a run whose report has a {@link RunReport#failure()}.
     *
     * @param report the report
     * @return PVMM-E017, naming the exception and the frame that threw it
     */
    static PvmmException failure(RunReport report) {
        String[] lines = report.failure().split("\n");
        String first = lines[0];
        int colon = first.indexOf(": ");
        String exception = colon < 0 ? first : first.substring(0, colon);
        String frame = lines.length > 1 ? lines[1].strip().replaceFirst("^at ", "") : "an unknown place";
        return new PvmmException(PvmmError.BACKEND_FAILURE, "the run of workload '" + report.workload() + "', seed " + report.seed(),
                Map.of("name", report.backend(), "exception", exception, "operation", frame, "cause", first));
    }

    /**
     * The error for a run that hit a guest {@code BUG} with no bug injected.
     *
     * @param report the report
     * @return PVMM-E018 with the invariant that failed
     */
    static PvmmException guestBug(RunReport report) {
        return new PvmmException(PvmmError.GUEST_BUG, "the run of workload '" + report.workload() + "', seed " + report.seed(),
                Map.of("invariant", report.bug(), "detail", "The report above shows the run up to the BUG."));
    }
}
