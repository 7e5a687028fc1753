package io.pvmm.cli;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.run.RunReport;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import io.pvmm.guest.run.DetectionMatrix;
import java.util.List;
import java.util.Set;

/**
 * The outcome of {@code pvmm compare}: for each paging mode, one run per backend side by side, then
 * the detection matrix of the injected bugs.
 *
 * @param workload the workload's name
 * @param seed     the seed
 * @param vcpus    the vCPUs
 * @param modes    one section per paging mode, in the order run
 * @param bugs     one cell per injected bug, mode and backend; empty without {@code --bugs}
 * @param matrix   the same runs as the detection matrix {@code docs/detection-matrix.md} shows, the
 *                 model's own checks as its {@code guest} row; empty without {@code --bugs}
 * @param seeded   with {@code --seeds N}, how often each backend caught each bug over N seeds, and the control
 */
record Comparison(String workload, long seed, int vcpus, List<ModeSection> modes, List<BugCell> bugs, DetectionMatrix matrix,
                  List<SeededRuns.Cell> seeded) {

    /**
     * One backend's run in one mode.
     *
     * @param backend   the backend
     * @param mode      the paging mode
     * @param report    the run's report, or null if the backend was skipped
     * @param timeline  the run's samples and translations, or null if skipped
     * @param skipped   why the backend did not run (it lacks the mode), or null
     * @param agreement how its translations compare with the first backend's, or null for the first,
     *                  a skipped run or one that did not finish
     */
    record BackendRun(String backend, PagingMode mode, RunReport report, Timeline timeline, String skipped,
                      TranslationDigest.Differences agreement) {

        /** @return the translations' verdict, as the table prints it */
        String translationVerdict(boolean reference) {
            if (skipped != null) {
                return "";
            }
            if (timeline.translations() == null) {
                return "n/a (stopped)";
            }
            if (reference) {
                return "reference";
            }
            if (agreement == null) {
                return "n/a";
            }
            return agreement.none() ? "AGREED" : "DIFFER (" + agreement.count() + ")";
        }
    }

    /**
     * The runs of one paging mode.
     *
     * @param mode the mode
     * @param runs one per backend, in the order asked
     */
    record ModeSection(PagingMode mode, List<BackendRun> runs) {

        /** @return the first run that finished, whose translations the others are compared with */
        BackendRun reference() {
            return runs.stream().filter(r -> r.skipped() == null && r.timeline().translations() != null).findFirst().orElse(null);
        }

        /** @return the counters' names across every run, in first-seen order */
        List<String> counterNames() {
            Set<String> names = new LinkedHashSet<>();
            for (BackendRun r : runs) {
                if (r.report() != null) {
                    names.addAll(r.report().counters().keySet());
                }
            }
            return new ArrayList<>(names);
        }
    }

    /**
     * Whether one backend caught one injected bug.
     *
     * @param bug     the bug's setting name
     * @param mode    the paging mode
     * @param backend the backend
     * @param caught  how it was caught: {@code violation}, {@code audit}, {@code guest BUG}, {@code failure}, or
     *                {@code missed}; {@code skipped} when the backend lacks the mode
     * @param rules   the rule ids the backend reported, or the guest's message
     * @param report  the bug run's whole report, or null where the backend was skipped
     */
    record BugCell(String bug, PagingMode mode, String backend, String caught, String rules, RunReport report) {

        /** @return whether the backend itself caught the bug */
        boolean caughtByBackend() {
            return caught.equals("violation") || caught.equals("audit");
        }
    }
}
