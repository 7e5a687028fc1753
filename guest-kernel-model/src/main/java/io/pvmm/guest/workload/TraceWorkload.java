package io.pvmm.guest.workload;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A workload read from a trace file. With one vCPU the trace runs in order. With several, each task's
 * operations run on vCPU {@code pid % vcpus} in trace order (threads included, so a process's threads
 * may fault on different vCPUs at once) and kernel operations on vCPU 0; an operation waits for the
 * one that creates its task.
 */
public final class TraceWorkload implements Workload {

    private final String name;
    private final List<Op> ops;

    /**
     * Wraps operations already read.
     *
     * @param name the trace's name
     * @param ops  its operations
     */
    public TraceWorkload(String name, List<Op> ops) {
        this.name = name;
        this.ops = List.copyOf(ops);
    }

    /**
     * Reads a trace file.
     *
     * @param path the file
     * @return the workload
     * @throws TraceFormatException at the first bad line
     * @throws IOException          if the file cannot be read
     */
    public static TraceWorkload read(Path path) throws TraceFormatException, IOException {
        try (TextLines in = TextLines.open(path)) {
            return new TraceWorkload(path.getFileName().toString(), TraceReader.read(path.toString(), in));
        }
    }

    /**
     * Writes operations as a trace file.
     *
     * @param ops the operations
     * @param out where to write
     * @throws IOException if writing fails
     */
    public static void write(List<Op> ops, Writer out) throws IOException {
        out.write(TraceReader.MAGIC + " " + TraceReader.VERSION + "\n");
        for (Op op : ops) {
            out.write(op.traceLine());
            out.write('\n');
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        long tasks = ops.stream().filter(o -> o instanceof Op.Spawn || o instanceof Op.Fork || o instanceof Op.Clone).count();
        return "trace of " + ops.size() + " operations, " + tasks + " tasks";
    }

    /** @return the operations, in trace order */
    public List<Op> ops() {
        return ops;
    }

    @Override
    public List<Iterator<Op>> streams(int vcpus, long seed) {
        List<List<Op>> per = new ArrayList<>();
        for (int i = 0; i < vcpus; i++) {
            per.add(new ArrayList<>());
        }
        for (Op op : ops) {
            // kernel work, and a kernel access to a vmalloc area, stays on vCPU 0 with the area's creation
            int cpu = op.pid() < 0 || op instanceof Op.Vtouch ? 0 : Math.floorMod(op.pid(), vcpus);
            per.get(cpu).add(op);
        }
        List<Iterator<Op>> streams = new ArrayList<>();
        per.forEach(l -> streams.add(l.iterator()));
        return streams;
    }

    @Override
    public boolean crossStream() {
        return true;
    }

    /**
     * Counts operations by keyword.
     *
     * @return counts by the first word of each trace line
     */
    public Map<String, Integer> census() {
        Map<String, Integer> m = new HashMap<>();
        for (Op op : ops) {
            m.merge(op.traceLine().split(" ", 2)[0], 1, Integer::sum);
        }
        return m;
    }
}
