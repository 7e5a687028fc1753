package io.pvmm.trace.strace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Follows the tasks of an strace log: who creates whom (a thread or a process), who execs, who ends,
 * and turns each task's memory calls into {@link MmEvent}s in an order the trace reader accepts. A task's
 * lines that come before the call creating it returns (strace shows the child at once, the parent's
 * {@code clone} resumes later) wait until it does; lines of a task nothing creates are dropped with a
 * warning at the end.
 */
final class ProcessTracker {

    /** Calls in strace's {@code %process} and {@code %memory} classes that change nothing the model has. */
    static final Set<String> IGNORED = Set.of("wait4", "waitid", "waitpid", "kill", "tkill", "tgkill", "pidfd_open",
            "pidfd_send_signal", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "madvise", "process_madvise", "mlock", "mlock2",
            "munlock", "mlockall", "munlockall", "msync", "mincore", "mbind", "set_mempolicy", "get_mempolicy",
            "set_mempolicy_home_node", "migrate_pages", "move_pages", "membarrier", "pkey_alloc", "pkey_free",
            "memfd_secret", "arch_prctl");
    /** Calls that map memory in ways the trace format has no operation for. */
    static final Set<String> NOT_CARRIED = Set.of("shmat", "shmdt", "remap_file_pages", "map_shadow_stack");

    private final List<MmEvent> events = new ArrayList<>();
    private final List<ImportWarning> warnings;
    private final Map<Integer, Task> tasks = new HashMap<>();
    private final Map<Integer, List<Object>> waiting = new LinkedHashMap<>();
    private final Map<String, int[]> unknownCalls = new LinkedHashMap<>();
    private int root;
    private int layouts;
    private int processes;
    private int threads;
    private int failedCalls;

    ProcessTracker(List<ImportWarning> warnings) {
        this.warnings = warnings;
    }

    /** A task as the tracker knows it. */
    private static final class Task {
        final int pid;
        int tgid;
        int layout = -1;
        boolean live = true;
        Map<Long, String> files;

        Task(int pid, int tgid, Map<Long, String> files) {
            this.pid = pid;
            this.tgid = tgid;
            this.files = files;
        }
    }

    /** The end of a task, as a {@code +++} line says it. */
    private record Ended(int line, int pid) {
    }

    /**
     * The task a line belongs to: its pid prefix, or for a line without one, the only live task, else
     * the root.
     *
     * @param pid the prefix, or {@link StraceLine#NO_PID}
     * @return the task's id
     */
    int resolve(int pid) {
        if (pid != StraceLine.NO_PID) {
            return pid;
        }
        List<Task> live = tasks.values().stream().filter(t -> t.live).toList();
        return live.size() == 1 ? live.get(0).pid : root != 0 ? root : 1;
    }

    /**
     * A complete call.
     *
     * @param call the call
     * @throws StraceImportException if a call the import needs is garbled
     */
    void call(Syscall call) throws StraceImportException {
        if (admit(call.line(), call.pid(), call)) {
            handle(call);
        }
    }

    /**
     * A {@code +++ exited}, {@code +++ killed} or {@code +++ superseded} line.
     *
     * @param line the line
     * @param pid  the task
     * @throws StraceImportException never in practice (waiting calls may be replayed)
     */
    void ended(int line, int pid) throws StraceImportException {
        Task t = tasks.get(pid);
        if (t != null && !t.live && !waiting.containsKey(pid)) {
            return; // exit_group already ended it
        }
        Ended e = new Ended(line, pid);
        if (admit(line, pid, e)) {
            end(line, t);
        }
    }

    /** Whether a task's item can be handled now; if its task does not exist yet, it waits. */
    private boolean admit(int line, int pid, Object item) {
        if (root == 0) {
            root = pid;
            tasks.put(pid, new Task(pid, pid, new HashMap<>()));
            processes++;
            events.add(new MmEvent.Root(line, pid));
        }
        Task t = tasks.get(pid);
        if (t == null || !t.live) {
            waiting.computeIfAbsent(pid, k -> new ArrayList<>()).add(item);
            return false;
        }
        return true;
    }

    private void handle(Syscall call) throws StraceImportException {
        Task t = tasks.get(call.pid());
        String name = call.name();
        switch (name) {
            case "execve", "execveat" -> {
                if (!call.succeeded()) {
                    failedCalls++;
                } else {
                    exec(call, t);
                }
            }
            case "clone", "clone3", "fork", "vfork" -> {
                if (!call.succeeded()) {
                    failedCalls++;
                } else {
                    create(call, t);
                }
            }
            case "exit" -> end(call.line(), t);
            case "exit_group" -> {
                for (Task other : new ArrayList<>(tasks.values())) {
                    if (other.live && other.tgid == t.tgid && other != t) {
                        end(call.line(), other);
                    }
                }
                end(call.line(), t);
            }
            case "mmap", "mmap2", "munmap", "mprotect", "pkey_mprotect", "mremap", "brk" -> memory(call, t);
            default -> other(call);
        }
    }

    private void other(Syscall call) {
        String name = call.name();
        if (IGNORED.contains(name)) {
            return;
        }
        if (NOT_CARRIED.contains(name)) {
            if (call.succeeded()) {
                warnings.add(new ImportWarning(call.line(), ImportWarning.Kind.NOT_CARRIED_OVER,
                        name + " maps memory the trace format has no operation for; ignored"));
            }
            return;
        }
        int[] seen = unknownCalls.computeIfAbsent(name, k -> new int[] {call.line(), 0});
        seen[1]++;
    }

    private void exec(Syscall call, Task t) {
        for (Task other : new ArrayList<>(tasks.values())) {
            if (other.live && other.tgid == t.tgid && other != t) {
                end(call.line(), other); // de_thread: the other threads go first
            }
        }
        t.tgid = t.pid;
        t.layout = ++layouts;
        String path = unquote(call.arg(call.name().equals("execveat") ? 1 : 0));
        events.add(new MmEvent.Exec(call.line(), t.pid, path, t.layout));
    }

    private void create(Syscall call, Task parent) throws StraceImportException {
        int child = (int) call.value();
        String flags = call.field("flags");
        boolean thread = Flags.has(flags, Flags.CLONE_VM | Flags.CLONE_THREAD) && call.name().startsWith("clone");
        Task existing = tasks.get(child);
        if (existing != null && existing.live) {
            warnings.add(new ImportWarning(call.line(), ImportWarning.Kind.NOT_CARRIED_OVER,
                    call.name() + " returned " + child + ", a task that is still alive; ignored"));
            return;
        }
        Task c = new Task(child, thread ? parent.tgid : child, thread ? parent.files : new HashMap<>(parent.files));
        c.layout = parent.layout;
        tasks.put(child, c);
        if (thread) {
            threads++;
        } else {
            processes++;
        }
        events.add(new MmEvent.Create(call.line(), parent.pid, child, thread));
        List<Object> early = waiting.remove(child);
        if (early != null) {
            for (Object item : early) {
                if (item instanceof Syscall s) {
                    call(s);
                } else if (item instanceof Ended e) {
                    ended(e.line(), e.pid());
                }
            }
        }
    }

    private void end(int line, Task t) {
        if (t == null || !t.live) {
            return;
        }
        t.live = false;
        events.add(new MmEvent.Exit(line, t.pid));
    }

    private void memory(Syscall call, Task t) throws StraceImportException {
        if (!call.succeeded()) {
            failedCalls++;
            return;
        }
        if (t.layout < 0) {
            warnings.add(new ImportWarning(call.line(), ImportWarning.Kind.NO_ADDRESS_SPACE,
                    "task " + t.pid + "'s " + call.name() + " comes before any execve gave it an address space; skipped"));
            return;
        }
        try {
            events.add(MemoryCalls.event(call, t.layout, t.files));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new StraceImportException(StraceImportException.Reason.MALFORMED, call.line(),
                    "cannot read the arguments of " + call.name() + "(" + String.join(", ", call.args()) + ") = " + call.result(),
                    MemoryCalls.form(call.name()), "Record the log again with strace -f -e trace=%process,%memory -o FILE, "
                    + "without -X raw or -e abbrev options that change how arguments are written, or fix the line");
        }
    }

    /** The log has ended: warnings for what waits and for the unknown calls; live tasks end. */
    void finish() {
        waiting.forEach((pid, items) -> {
            int first = items.get(0) instanceof Syscall s ? s.start() : ((Ended) items.get(0)).line();
            warnings.add(new ImportWarning(first, ImportWarning.Kind.UNKNOWN_TASK, "task " + pid + " has " + items.size()
                    + " line(s) from here on, but it is not alive then (no fork or clone in the log creates it, or it had ended); skipped"));
        });
        waiting.clear();
        unknownCalls.forEach((name, seen) -> warnings.add(new ImportWarning(seen[0], ImportWarning.Kind.UNKNOWN_SYSCALL,
                name + " (" + seen[1] + " call(s)) is not a call the import knows; ignored")));
        List<Task> live = tasks.values().stream().filter(t -> t.live).sorted((a, b) -> {
            boolean la = a.pid == a.tgid;
            boolean lb = b.pid == b.tgid;
            return la != lb ? (la ? 1 : -1) : Integer.compare(b.pid, a.pid); // threads, then the youngest first
        }).toList();
        if (!live.isEmpty()) {
            warnings.add(new ImportWarning(0, ImportWarning.Kind.TRUNCATED, "the log ends while task(s) "
                    + String.join(", ", live.stream().map(t -> Integer.toString(t.pid)).toList())
                    + " are alive (was it cut?); they exit at the end of the trace"));
            live.forEach(t -> end(0, t));
        }
    }

    private static String unquote(String s) {
        String v = s.strip();
        if (v.startsWith("\"")) {
            int end = StraceLexer.endOfString(v, 0);
            return v.substring(1, end);
        }
        return v;
    }

    /** @return the events, in replay order */
    List<MmEvent> events() {
        return events;
    }

    /** @return processes: the root and every fork, vfork or clone without {@code CLONE_THREAD} */
    int processes() {
        return processes;
    }

    /** @return threads: clones with {@code CLONE_VM | CLONE_THREAD} */
    int threads() {
        return threads;
    }

    /** @return calls that failed (and so changed nothing) */
    int failedCalls() {
        return failedCalls;
    }

    /** @return calls the import knows nothing about */
    int unknownCalls() {
        return unknownCalls.values().stream().mapToInt(v -> v[1]).sum();
    }
}
