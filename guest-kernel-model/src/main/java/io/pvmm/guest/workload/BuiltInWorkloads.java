package io.pvmm.guest.workload;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The workloads that come with pvmm, by name. */
public final class BuiltInWorkloads {

    private BuiltInWorkloads() {
    }

    /**
     * Every built-in workload.
     *
     * @param s the workload settings
     * @return workloads by name, in listing order
     */
    public static Map<String, Workload> all(WorkloadSettings s) {
        Map<String, Workload> m = new LinkedHashMap<>();
        add(m, "boot", "boot only: the kernel's own page tables, then shutdown", (cpu, n, seed) -> Collections.emptyIterator());
        add(m, "fork-exit", "processes fork, exec, touch memory and exit, a few alive at a time",
                (cpu, n, seed) -> new ScriptedStream(cpu, seed, s, s.processes(), new ScriptedStream.Mix(false, false, false)));
        // the storm stays on vCPU 0: two CPUs changing pages of one large page at once can both split it,
        // a race 2.6.21's split_large_page leaves open (it drops cpa_lock to allocate) and its callers avoid
        add(m, "pageattr", "a change_page_attr storm (split, revert, deferred free) on vCPU 0 while processes fork and exit",
                (cpu, n, seed) -> new ScriptedStream(cpu, seed, s, s.iterations(), new ScriptedStream.Mix(false, cpu == 0, false)));
        add(m, "smp-mixed", "every vCPU forks and remaps; the last one also changes page attributes and maps vmalloc areas",
                (cpu, n, seed) -> new ScriptedStream(cpu, seed, s, s.processes(),
                        new ScriptedStream.Mix(true, cpu == n - 1, cpu == n - 1)));
        m.put("clone-race", new CloneRaceWorkload(s.iterations()));
        m.putAll(LmbenchWorkloads.all(LmbenchWorkloads.ITERATIONS));
        return m;
    }

    /**
     * A built-in workload by name.
     *
     * @param name a name
     * @param s    the workload settings
     * @return the workload, or empty
     */
    public static Optional<Workload> find(String name, WorkloadSettings s) {
        return Optional.ofNullable(all(s).get(name));
    }

    @FunctionalInterface
    private interface StreamFactory {
        Iterator<Op> stream(int cpu, int vcpus, long seed);
    }

    private static void add(Map<String, Workload> m, String name, String description, StreamFactory factory) {
        m.put(name, new Workload() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return description;
            }

            @Override
            public List<Iterator<Op>> streams(int vcpus, long seed) {
                List<Iterator<Op>> streams = new ArrayList<>();
                for (int cpu = 0; cpu < vcpus; cpu++) {
                    streams.add(factory.stream(cpu, vcpus, seed));
                }
                return streams;
            }
        });
    }
}
