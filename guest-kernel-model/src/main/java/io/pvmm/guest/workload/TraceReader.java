package io.pvmm.guest.workload;

import io.pvmm.guest.arch.PageAttr;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.mm.Mmap;
import io.pvmm.guest.mm.Vma;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the pvmm trace format: a header line {@code pvmm-trace 1}, then one operation per line; blank
 * lines and {@code #} comments are ignored. Numbers are decimal or {@code 0x} hexadecimal. The reader
 * checks causality as it goes — a task must be created ({@code spawn}, {@code fork}, {@code clone})
 * before any other line names it, and not after it exited; buffers and vmalloc areas likewise — and
 * rejects the first bad line with its number, what was expected and what was found.
 *
 * <pre>
 * pvmm-trace 1
 * spawn 1
 * exec 1 text=16 data=4 bss=4 stack=2 file=1
 * fork 1 2
 * mmap 2 0x40000000 0x10000 rw- private
 * touch 2 0x40000000 0x10000 w
 * munmap 2 0x40008000 0x8000
 * exit 2
 * kalloc 7 4
 * change_page_attr 7 nocache
 * change_page_attr 7 kernel
 * global_flush_tlb
 * kfree 7
 * </pre>
 *
 * <p>The full reference is {@code docs/traces.md}.
 */
public final class TraceReader {

    /** The header's keyword. */
    public static final String MAGIC = "pvmm-trace";
    /** The format version this reader reads. */
    public static final int VERSION = 1;

    private final String source;
    private final Set<Integer> tasks = new HashSet<>();
    private final Set<Integer> exited = new HashSet<>();
    private final Set<Integer> buffers = new HashSet<>();
    private final Set<Integer> areas = new HashSet<>();
    private final Map<Integer, Integer> threadGroup = new HashMap<>();
    private int lineNo;
    private String text;

    private TraceReader(String source) {
        this.source = source;
    }

    /**
     * Reads a whole trace.
     *
     * @param source a name for messages (the file's path)
     * @param in     the text
     * @return the operations, in order
     * @throws TraceFormatException at the first line that does not follow the format
     * @throws IOException          if reading fails
     */
    public static List<Op> read(String source, Reader in) throws TraceFormatException, IOException {
        return new TraceReader(source).readAll(TextLines.of(in));
    }

    /**
     * Reads a whole trace from lines, reporting a line too long or not UTF-8 as a format error.
     *
     * @param source a name for messages (the file's path)
     * @param in     the lines
     * @return the operations, in order
     * @throws TraceFormatException at the first line that does not follow the format
     * @throws IOException          if reading fails
     */
    static List<Op> read(String source, TextLines in) throws TraceFormatException, IOException {
        return new TraceReader(source).readAll(in);
    }

    private List<Op> readAll(TextLines r) throws TraceFormatException, IOException {
        List<Op> ops = new ArrayList<>();
        boolean header = false;
        String raw;
        while ((raw = nextLine(r)) != null) {
            lineNo++;
            int hash = raw.indexOf('#');
            text = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
            if (text.isEmpty()) {
                continue;
            }
            String[] w = text.split("\\s+");
            if (!header) {
                if (!w[0].equals(MAGIC) || w.length != 2 || !w[1].equals(Integer.toString(VERSION))) {
                    throw error("the header '" + MAGIC + " " + VERSION + "'", "'" + text + "'");
                }
                header = true;
                continue;
            }
            ops.add(parse(w));
        }
        if (!header) {
            throw error("the header '" + MAGIC + " " + VERSION + "'", "an empty file");
        }
        return ops;
    }

    private String nextLine(TextLines r) throws TraceFormatException, IOException {
        try {
            return r.next();
        } catch (TextLines.BadLine e) {
            throw new TraceFormatException(source, e.line(), TextLines.ACCEPTED, e.found());
        }
    }

    private Op parse(String[] w) throws TraceFormatException {
        String keyword = w[0].toLowerCase(Locale.ROOT);
        switch (keyword) {
            case "spawn" -> {
                arity(w, 2, "spawn PID");
                return new Op.Spawn(create(pid(w[1])));
            }
            case "fork" -> {
                arity(w, 3, "fork PARENT CHILD");
                int parent = existing(w[1]);
                return new Op.Fork(parent, create(pid(w[2])));
            }
            case "clone" -> {
                arity(w, 3, "clone PID TID");
                int parent = existing(w[1]);
                int tid = create(pid(w[2]));
                threadGroup.put(tid, threadGroup.getOrDefault(parent, parent));
                return new Op.Clone(parent, tid);
            }
            case "exec" -> {
                if (w.length < 2) {
                    throw error("exec PID [text=N data=N bss=N stack=N file=N]", "'" + text + "'");
                }
                return new Op.Exec(existing(w[1]), image(w));
            }
            case "mmap" -> {
                if (w.length < 6) {
                    throw error("mmap PID ADDR LEN PROT private|shared [file=N pgoff=N]", "'" + text + "'");
                }
                int pid = existing(w[1]);
                int flags = prot(w[4]) | sharing(w[5]);
                Map<String, Long> kv = keyValues(w, 6, Set.of("file", "pgoff"));
                return new Op.Mmap(pid, number(w[2]), length(w[3]), flags, Math.toIntExact(kv.getOrDefault("file", 0L)),
                        kv.getOrDefault("pgoff", 0L));
            }
            case "munmap" -> {
                arity(w, 4, "munmap PID ADDR LEN");
                return new Op.Munmap(existing(w[1]), number(w[2]), length(w[3]));
            }
            case "mprotect" -> {
                arity(w, 5, "mprotect PID ADDR LEN PROT");
                return new Op.Mprotect(existing(w[1]), number(w[2]), length(w[3]), prot(w[4]));
            }
            case "brk" -> {
                arity(w, 3, "brk PID ADDR");
                int pid = existing(w[1]);
                long addr = number(w[2]);
                if (addr < ExecImage.TEXT_START || addr >= Mmap.MMAP_BASE) {
                    throw error("a brk address from 0x" + Long.toHexString(ExecImage.TEXT_START) + " to below MMAP_BASE 0x"
                            + Long.toHexString(Mmap.MMAP_BASE), "'" + w[2] + "'");
                }
                return new Op.Brk(pid, addr);
            }
            case "touch" -> {
                if (w.length != 4 && w.length != 5) {
                    throw error("touch PID ADDR [LEN] r|w", "'" + text + "'");
                }
                int pid = existing(w[1]);
                long len = w.length == 5 ? length(w[3]) : 4096;
                String rw = w[w.length - 1];
                if (!rw.equals("r") && !rw.equals("w")) {
                    throw error("r or w", "'" + rw + "'");
                }
                return new Op.Touch(pid, number(w[2]), len, rw.equals("w"));
            }
            case "sigaction" -> {
                arity(w, 3, "sigaction PID segv");
                if (!w[2].equalsIgnoreCase("segv")) {
                    throw error("segv (the one signal the model delivers)", "'" + w[2] + "'");
                }
                return new Op.Sigaction(existing(w[1]));
            }
            case "sigreturn" -> {
                arity(w, 2, "sigreturn PID");
                return new Op.Sigreturn(existing(w[1]));
            }
            case "exit" -> {
                arity(w, 2, "exit PID");
                int pid = existing(w[1]);
                exited.add(pid);
                return new Op.Exit(pid);
            }
            case "kalloc" -> {
                arity(w, 3, "kalloc ID PAGES");
                return new Op.Kalloc(createId(buffers, w[1], "buffer"), (int) positive(w[2], 4096));
            }
            case "kfree" -> {
                arity(w, 2, "kfree ID");
                return new Op.Kfree(existingId(buffers, w[1], "buffer", true));
            }
            case "change_page_attr", "cpa" -> {
                arity(w, 3, "change_page_attr ID kernel|nocache|read-only");
                return new Op.ChangePageAttr(existingId(buffers, w[1], "buffer", false), attr(w[2]));
            }
            case "global_flush_tlb", "flush" -> {
                arity(w, 1, "global_flush_tlb");
                return new Op.GlobalFlushTlb();
            }
            case "vmalloc" -> {
                arity(w, 3, "vmalloc ID PAGES");
                return new Op.Vmalloc(createId(areas, w[1], "vmalloc area"), (int) positive(w[2], 32768));
            }
            case "vfree" -> {
                arity(w, 2, "vfree ID");
                return new Op.Vfree(existingId(areas, w[1], "vmalloc area", true));
            }
            case "vtouch" -> {
                arity(w, 3, "vtouch PID ID");
                return new Op.Vtouch(existing(w[1]), existingId(areas, w[2], "vmalloc area", false));
            }
            case "vmalloc_sync_all", "vsync" -> {
                arity(w, 1, "vmalloc_sync_all");
                return new Op.VmallocSyncAll();
            }
            case "reap" -> {
                arity(w, 1, "reap");
                return new Op.Reap();
            }
            default -> throw error("an operation (spawn, fork, clone, exec, mmap, munmap, mprotect, brk, touch, sigaction, sigreturn, exit, "
                    + "kalloc, kfree, change_page_attr, global_flush_tlb, vmalloc, vfree, vtouch, vmalloc_sync_all, reap)",
                    "'" + w[0] + "'");
        }
    }

    private ExecImage image(String[] w) throws TraceFormatException {
        Map<String, Long> kv = keyValues(w, 2, Set.of("text", "data", "bss", "stack", "file"));
        ExecImage d = ExecImage.DEFAULT;
        try {
            return new ExecImage(Math.toIntExact(kv.getOrDefault("file", (long) d.fileId())),
                    Math.toIntExact(kv.getOrDefault("text", (long) d.textPages())),
                    Math.toIntExact(kv.getOrDefault("data", (long) d.dataPages())),
                    Math.toIntExact(kv.getOrDefault("bss", (long) d.bssPages())),
                    Math.toIntExact(kv.getOrDefault("stack", (long) d.stackPages())));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw error("an image of at least one text and one stack page, at most 512 MiB, stack at most 32 pages", "'" + text + "'");
        }
    }

    private Map<String, Long> keyValues(String[] w, int from, Set<String> keys) throws TraceFormatException {
        Map<String, Long> kv = new HashMap<>();
        for (int i = from; i < w.length; i++) {
            int eq = w[i].indexOf('=');
            String key = eq < 0 ? w[i] : w[i].substring(0, eq);
            if (eq < 0 || !keys.contains(key)) {
                throw error("KEY=VALUE with KEY one of " + String.join(", ", keys.stream().sorted().toList()), "'" + w[i] + "'");
            }
            if (kv.put(key, number(w[i].substring(eq + 1))) != null) {
                throw error("each KEY once", "'" + key + "=' given twice");
            }
        }
        return kv;
    }

    private void arity(String[] w, int n, String form) throws TraceFormatException {
        if (w.length != n) {
            throw error("'" + form + "'", "'" + text + "'");
        }
    }

    private int pid(String s) throws TraceFormatException {
        long v = number(s);
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw error("a positive task id", "'" + s + "'");
        }
        return (int) v;
    }

    private int create(int pid) throws TraceFormatException {
        if (tasks.contains(pid) && !exited.contains(pid)) {
            throw error("a new task id", "task " + pid + ", which already exists");
        }
        exited.remove(pid);
        tasks.add(pid);
        return pid;
    }

    private int existing(String s) throws TraceFormatException {
        int pid = pid(s);
        if (!tasks.contains(pid)) {
            throw error("a task created by an earlier spawn, fork or clone", "task " + pid + ", which appears before it was created");
        }
        if (exited.contains(pid)) {
            throw error("a live task", "task " + pid + ", which has exited");
        }
        return pid;
    }

    private int createId(Set<Integer> ids, String s, String what) throws TraceFormatException {
        int id = pid(s);
        if (!ids.add(id)) {
            throw error("a new " + what + " id", what + " " + id + ", which already exists");
        }
        return id;
    }

    private int existingId(Set<Integer> ids, String s, String what, boolean remove) throws TraceFormatException {
        int id = pid(s);
        if (!(remove ? ids.remove(id) : ids.contains(id))) {
            throw error("a " + what + " created earlier", what + " " + id + ", which does not exist");
        }
        return id;
    }

    private long number(String s) throws TraceFormatException {
        try {
            String v = s.toLowerCase(Locale.ROOT);
            long n = v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
            if (n < 0 || n > 0xFFFF_FFFFL) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw error("a number from 0 to 0xffffffff (decimal or 0x hexadecimal)", "'" + s + "'");
        }
    }

    private long length(String s) throws TraceFormatException {
        return positive(s, 0xC000_0000L);
    }

    private long positive(String s, long max) throws TraceFormatException {
        long v = number(s);
        if (v <= 0 || v > max) {
            throw error("a number from 1 to " + max, "'" + s + "'");
        }
        return v;
    }

    private int prot(String s) throws TraceFormatException {
        int p = Op.Prot.parse(s);
        if (p < 0) {
            throw error("a protection in rwx notation such as r-x or rw-", "'" + s + "'");
        }
        return p;
    }

    private int sharing(String s) throws TraceFormatException {
        return switch (s) {
            case "private" -> 0;
            case "shared" -> Vma.SHARED;
            default -> throw error("private or shared", "'" + s + "'");
        };
    }

    private PageAttr.Attr attr(String s) throws TraceFormatException {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "kernel" -> PageAttr.Attr.KERNEL;
            case "nocache" -> PageAttr.Attr.NOCACHE;
            case "read-only", "ro" -> PageAttr.Attr.READ_ONLY;
            default -> throw error("kernel, nocache or read-only", "'" + s + "'");
        };
    }

    private TraceFormatException error(String expected, String found) {
        return new TraceFormatException(source, lineNo, expected, found);
    }
}
