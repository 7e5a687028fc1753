package io.pvmm.guest.workload;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * A workload shaped like one lmbench latency benchmark: a setup (the benchmark process starts and
 * maps what it needs), then the same loop body {@link #iterations()} times, then a teardown, all on
 * vCPU 0. Each iteration is {@link #operationsPerIteration()} of the operations lmbench times (a
 * fork, a page fault, a context switch), so an event count per operation is the count over some
 * iterations divided by those iterations times the operations in each, with the setup and the
 * teardown left out ({@link io.pvmm.guest.cost.PerOperation}).
 *
 * <p>Every iteration issues the same number of workload operations, {@link #opsPerIteration()}, so
 * the iteration an operation belongs to follows from its index.
 */
public final class LmbenchWorkload implements Workload {

    private final String name;
    private final String description;
    private final String operation;
    private final int operationsPerIteration;
    private final List<Op> setup;
    private final IntFunction<List<Op>> iteration;
    private final List<Op> teardown;
    private final int iterations;
    private final int opsPerIteration;

    /**
     * A workload.
     *
     * @param name                   the name used with {@code --workload}, e.g. {@code lat-fork}
     * @param description            one line for listings
     * @param operation              what lmbench times, in the singular: {@code fork}, {@code page fault}
     * @param operationsPerIteration how many of those one iteration is
     * @param setup                  the operations before the loop
     * @param iteration              the loop body, by iteration number; the same length for every number
     * @param teardown               the operations after the loop
     * @param iterations             how many times the loop runs
     */
    public LmbenchWorkload(String name, String description, String operation, int operationsPerIteration, List<Op> setup,
                           IntFunction<List<Op>> iteration, List<Op> teardown, int iterations) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.operation = Objects.requireNonNull(operation, "operation");
        if (operationsPerIteration < 1 || iterations < 1) {
            throw new IllegalArgumentException("an iteration holds at least one operation and the loop runs at least once");
        }
        this.operationsPerIteration = operationsPerIteration;
        this.setup = List.copyOf(setup);
        this.iteration = Objects.requireNonNull(iteration, "iteration");
        this.teardown = List.copyOf(teardown);
        this.iterations = iterations;
        this.opsPerIteration = iteration.apply(0).size();
        if (opsPerIteration == 0 || iteration.apply(1).size() != opsPerIteration) {
            throw new IllegalArgumentException(name + ": every iteration must issue the same, non-zero number of operations");
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    /** @return what lmbench times, in the singular ({@code fork}, {@code page fault}, {@code context switch}) */
    public String operation() {
        return operation;
    }

    /** @return the timed operations in one iteration of the loop */
    public int operationsPerIteration() {
        return operationsPerIteration;
    }

    /** @return how many times the loop runs */
    public int iterations() {
        return iterations;
    }

    /** @return the workload operations before the loop */
    public int setupOps() {
        return setup.size();
    }

    /** @return the workload operations of one iteration */
    public int opsPerIteration() {
        return opsPerIteration;
    }

    /**
     * The same workload with another number of iterations.
     *
     * @param n iterations
     * @return the workload
     */
    public LmbenchWorkload withIterations(int n) {
        return new LmbenchWorkload(name, description, operation, operationsPerIteration, setup, iteration, teardown, n);
    }

    /** @return the whole stream of vCPU 0: setup, every iteration, teardown */
    public List<Op> ops() {
        List<Op> all = new ArrayList<>(setup);
        for (int i = 0; i < iterations; i++) {
            all.addAll(iteration.apply(i));
        }
        all.addAll(teardown);
        return all;
    }

    @Override
    public List<Iterator<Op>> streams(int vcpus, long seed) {
        List<Iterator<Op>> streams = new ArrayList<>();
        streams.add(ops().iterator());
        for (int cpu = 1; cpu < vcpus; cpu++) {
            streams.add(Collections.emptyIterator());
        }
        return streams;
    }
}
