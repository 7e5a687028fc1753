package io.pvmm.tck;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the whole kit on a backend chosen at run time — each backend a {@link java.util.ServiceLoader}
 * finds, or one a tool is asked to check — and returns every test's result, so the caller can report
 * them as its own.
 *
 * <pre>{@code
 * for (KitLauncher.Result r : KitLauncher.run(new BackendUnderTest(provider, Map.of(), b -> false))) {
 *     System.out.println(r.status() + " " + r.test());
 * }
 * }</pre>
 */
public final class KitLauncher {

    /** How a test ended. */
    public enum Status {
        /** Passed. */
        PASSED,
        /** Failed or errored. */
        FAILED,
        /** Skipped because it does not apply; {@link Result#detail()} says why. */
        SKIPPED
    }

    /**
     * One test's result.
     *
     * @param test    the test's path of display names, e.g. {@code the provider › has a stable lower-case name}
     * @param status  how it ended
     * @param detail  why it was skipped or how it failed; empty when it passed
     * @param failure what it threw, when it failed
     */
    public record Result(String test, Status status, String detail, Optional<Throwable> failure) {
    }

    private KitLauncher() {
    }

    /**
     * Runs every test of the kit on a backend. Runs are serialised: the kit's tests read the backend
     * from a static field while they run.
     *
     * @param backend the backend, its settings and behaviours
     * @return every test's result, in the order they ran
     */
    public static List<Result> run(BackendUnderTest backend) {
        return run(backend, LaunchedBackendTest.class);
    }

    /**
     * Runs the tests of a class on a backend.
     *
     * @param backend the backend
     * @param kit     the class whose tests run: the kit's own, or in the kit's tests a class with none
     * @return every test's result
     * @throws IllegalStateException if no test ran at all, saying why: a kit run that executes no test
     *                               proves nothing, and would otherwise look like a pass
     */
    static synchronized List<Result> run(BackendUnderTest backend, Class<?> kit) {
        Objects.requireNonNull(backend, "backend");
        List<Result> results = Collections.synchronizedList(new ArrayList<>());
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(kit)).build();
        Launcher launcher = LauncherFactory.create();
        LaunchedBackendTest.use(backend);
        try {
            launcher.execute(request, new Collector(results));
        } finally {
            LaunchedBackendTest.use(null);
        }
        if (results.stream().noneMatch(r -> r.status() != Status.SKIPPED)) {
            throw new IllegalStateException("the kit ran no test on " + backend.name() + ": "
                    + (results.isEmpty() ? "JUnit found no test in " + kit.getName()
                            + " (is the JUnit Jupiter engine, org.junit.jupiter:junit-jupiter-engine, on the class path?)"
                            : "every test was skipped: " + results.stream().map(r -> r.test() + ": " + r.detail()).toList()));
        }
        return List.copyOf(results);
    }

    /** Keeps the result of every test (not of containers, unless a whole container was skipped). */
    private static final class Collector implements TestExecutionListener {
        private final List<Result> results;
        private TestPlan plan;

        Collector(List<Result> results) {
            this.results = results;
        }

        @Override
        public void testPlanExecutionStarted(TestPlan testPlan) {
            this.plan = testPlan;
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            results.add(new Result(path(id), Status.SKIPPED, reason, Optional.empty()));
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            Optional<Throwable> thrown = result.getThrowable();
            switch (result.getStatus()) {
                case SUCCESSFUL -> {
                    if (id.isTest()) {
                        results.add(new Result(path(id), Status.PASSED, "", Optional.empty()));
                    }
                }
                case ABORTED -> results.add(new Result(path(id), Status.SKIPPED,
                        thrown.map(Throwable::getMessage).orElse("aborted"), Optional.empty()));
                case FAILED -> results.add(new Result(path(id), Status.FAILED,
                        thrown.map(String::valueOf).orElse("failed"), thrown));
                default -> throw new AssertionError(result.getStatus());
            }
        }

        /** The display names from the launched class (exclusive) down to the test: {@code the provider › has a ...}. */
        private String path(TestIdentifier id) {
            LinkedList<String> names = new LinkedList<>();
            for (Optional<TestIdentifier> t = Optional.of(id); t.isPresent(); t = plan.getParent(t.get())) {
                names.addFirst(t.get().getDisplayName());
            }
            names.removeFirst(); // the engine
            if (names.size() > 1) {
                names.removeFirst(); // the launched class itself
            }
            return String.join(" › ", names);
        }
    }
}
