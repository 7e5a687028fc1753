package io.pvmm.cli;

import io.pvmm.api.PagingMode;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.arch.KernelLayout;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.observe.Hook;
import io.pvmm.guest.workload.TextLines;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A hook recording as {@code pvmm run --record-hooks} writes it, read back for {@code pvmm replay-hooks}.
 *
 * <pre>
 * pvmm-hooks 1
 * # comment lines start with #
 * mode two-level            the header: mode, memory-mib, vcpus, pse, pge, reserved-top,
 * memory-mib 256            unshared-kernel-pmd (the guest's layout), then backend, workload, seed,
 * ...                       kernel (what was recorded; informative)
 * calls
 * 0 clearFrame 0x1a3        one call per line: the vCPU, the method, its arguments in hexadecimal;
 * 0 store 0x1a3c00 0x2067   clearFrame and store are the guest's own stores to memory, which a
 * 0 allocPt 0x1a3           replayer performs directly, as native hardware would
 * end 48213                 the number of calls (clearFrame and store not counted)
 * </pre>
 *
 * @param path   the file
 * @param header the header's keys and values, in order
 * @param calls  the calls, in order
 */
record HookRecording(Path path, Map<String, String> header, List<Call> calls) {

    /** The first line's keyword. */
    static final String MAGIC = "pvmm-hooks";
    /** The format's version. */
    static final int VERSION = 1;
    /** The line that ends the header. */
    static final String CALLS = "calls";
    /** The last line's keyword. */
    static final String END = "end";
    /** {@code FIXADDR_TOP} with nothing reserved; the reserved top is the distance below it. */
    static final long TOP_FIXADDR = 0xFFFF_F000L;
    /** The pseudo-call that zeroes a frame. */
    static final String CLEAR_FRAME = "clearFrame";
    /** The pseudo-call that stores an entry. */
    static final String STORE = "store";

    private static final List<String> LAYOUT_KEYS = List.of("mode", "memory-mib", "vcpus", "pse", "pge", "reserved-top",
            "unshared-kernel-pmd");

    /**
     * One line of the recording after the header.
     *
     * @param line   its line number, from 1
     * @param text   the line as written
     * @param vcpu   the vCPU that made the call
     * @param hook   the SPI method, or null for {@code clearFrame} and {@code store}
     * @param method the method's name as written
     * @param args   the arguments
     */
    record Call(int line, String text, int vcpu, Hook hook, String method, long[] args) {
    }

    /**
     * How many arguments each method takes.
     *
     * @param method a method name
     * @return the count, or -1 for an unknown method
     */
    static int arity(String method) {
        return switch (method) {
            case "flushTlbUser", "flushTlbKernel", "enterLazyMmu", "leaveLazyMmu" -> 0;
            case "allocPt", "allocPd", "releasePt", "releasePd", "pmdClear", "writeCr3", "exitMmap", "pagetableSetupStart",
                    "pagetableSetupDone", "flushTlbSingle", CLEAR_FRAME -> 1;
            case "setPte", "setPteAtomic", "setPmd", "setPgd", "writeFault", "activateMm", "dupMmap", STORE -> 2;
            case "pteClear", "pteUpdate" -> 3;
            case "allocPdClone", "setPteAt", "accessedDirtySet" -> 4;
            default -> -1;
        };
    }

    /**
     * What each argument of a method is: {@code f} a frame number, {@code p} a physical address (where an
     * entry or a root lives), {@code -} anything else (an entry's value, a virtual address, a count). A
     * frame or address beyond the recorded memory cannot have come from the recorded guest.
     *
     * @param method a method name of known {@link #arity(String)}
     * @return one letter per argument
     */
    static String argumentKinds(String method) {
        return switch (method) {
            case "allocPt", "allocPd", "releasePt", "releasePd", CLEAR_FRAME -> "f";
            case "allocPdClone" -> "ff--";
            case "setPte", "setPteAtomic", "setPmd", "setPgd", "writeFault", STORE -> "p-";
            case "setPteAt" -> "p-p-";
            case "pteClear", "pteUpdate" -> "p-p";
            case "pmdClear", "writeCr3", "exitMmap", "pagetableSetupStart", "pagetableSetupDone" -> "p";
            case "activateMm", "dupMmap" -> "pp";
            default -> "-".repeat(Math.max(0, arity(method)));
        };
    }

    /**
     * Reads a recording whole, checking every line.
     *
     * @param path   the file
     * @param source where its name came from, for messages
     * @return the recording
     * @throws PvmmException {@link PvmmError#HOOK_RECORDING_UNREADABLE} or {@link PvmmError#MALFORMED_HOOK_RECORDING}
     */
    static HookRecording read(Path path, String source) {
        Map<String, String> header = new LinkedHashMap<>();
        List<Call> calls = new ArrayList<>();
        try (TextLines in = TextLines.open(path)) {
            int n = 0;
            String line;
            boolean inCalls = false;
            boolean ended = false;
            while ((line = next(in, path, source)) != null) {
                n++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                if (ended) {
                    throw malformed(path, source, n, "nothing after the end line", t);
                }
                if (header.isEmpty()) {
                    if (!t.equals(MAGIC + " " + VERSION)) {
                        throw malformed(path, source, n, MAGIC + " " + VERSION + " (a recording from pvmm run --record-hooks)", t);
                    }
                    header.put(MAGIC, Integer.toString(VERSION));
                    continue;
                }
                if (!inCalls) {
                    if (t.equals(CALLS)) {
                        for (String key : LAYOUT_KEYS) {
                            if (!header.containsKey(key)) {
                                throw malformed(path, source, n, "a header line '" + key + " <value>' before 'calls'", t);
                            }
                        }
                        inCalls = true;
                        continue;
                    }
                    String[] kv = t.split("\\s+", 2);
                    if (kv.length != 2) {
                        throw malformed(path, source, n, "a header line '<key> <value>'", t);
                    }
                    header.put(kv[0], kv[1]);
                    continue;
                }
                if (t.startsWith(END + " ")) {
                    long count = calls.stream().filter(c -> c.hook() != null).count();
                    if (!t.equals(END + " " + count)) {
                        throw malformed(path, source, n, END + " " + count + " (the number of calls above)", t);
                    }
                    ended = true;
                    continue;
                }
                calls.add(call(path, source, n, t));
            }
            if (!inCalls) {
                throw malformed(path, source, n + 1, header.isEmpty() ? MAGIC + " " + VERSION : "the line 'calls'", "the end of the file");
            }
            if (!ended) {
                throw malformed(path, source, n + 1, END + " <calls> (the recording is cut short)", "the end of the file");
            }
        } catch (IOException e) {
            throw new PvmmException(PvmmError.HOOK_RECORDING_UNREADABLE, source, Map.of("path", path, "cause", e.toString()), e);
        }
        HookRecording r = new HookRecording(path, header, calls);
        r.check(source);
        return r;
    }

    private static String next(TextLines in, Path path, String source) throws IOException {
        try {
            return in.next();
        } catch (TextLines.BadLine e) {
            throw malformed(path, source, e.line(), TextLines.ACCEPTED + ", as pvmm run --record-hooks writes them", e.found());
        }
    }

    private static Call call(Path path, String source, int n, String t) {
        String[] parts = t.split("\\s+");
        String method = parts.length > 1 ? parts[1] : "";
        int arity = arity(method);
        String expected = arity < 0 ? "<vcpu> <method> <arguments in hex>, a method of ParavirtOps, clearFrame or store"
                : "<vcpu> " + method + " and " + arity + (arity == 1 ? " argument" : " arguments") + " in hex";
        if (arity < 0 || parts.length != arity + 2) {
            throw malformed(path, source, n, expected, t);
        }
        try {
            int vcpu = Integer.parseInt(parts[0]);
            long[] args = new long[arity];
            for (int i = 0; i < arity; i++) {
                if (!parts[i + 2].toLowerCase(Locale.ROOT).startsWith("0x")) {
                    throw new NumberFormatException(parts[i + 2]);
                }
                args[i] = Long.parseUnsignedLong(parts[i + 2].substring(2), 16);
            }
            Hook hook = method.equals(CLEAR_FRAME) || method.equals(STORE) ? null : Hook.valueOf(method);
            return new Call(n, t, vcpu, hook, method, args);
        } catch (IllegalArgumentException e) {
            throw malformed(path, source, n, expected, t);
        }
    }

    private void check(String source) {
        try {
            KernelLayout.checkMemory(mode(), memoryMib());
            int v = vcpus();
            if (v < 1 || v > GuestConfig.MAX_VCPUS) {
                throw new IllegalArgumentException("vcpus must be between 1 and " + GuestConfig.MAX_VCPUS + ": " + v);
            }
            long frames = memoryMib() << 8;
            for (Call c : calls) {
                if (c.vcpu() < 0 || c.vcpu() >= v) {
                    throw malformed(path, source, c.line(), "a vCPU from 0 to " + (v - 1) + " (the header says vcpus " + v + ")", c.text());
                }
                checkAddresses(c, frames, source);
            }
            platform();
        } catch (IllegalArgumentException e) {
            throw malformed(path, source, 1, "a header of valid values: " + e.getMessage(), String.valueOf(header));
        }
    }

    private void checkAddresses(Call c, long frames, String source) {
        String kinds = argumentKinds(c.method());
        for (int i = 0; i < kinds.length(); i++) {
            long a = c.args()[i];
            boolean frame = kinds.charAt(i) == 'f';
            if (kinds.charAt(i) != '-' && Long.compareUnsigned(frame ? a : a >>> 12, frames) >= 0) {
                throw malformed(path, source, c.line(), (frame ? "frame numbers below 0x" + Long.toHexString(frames)
                        : "physical addresses below 0x" + Long.toHexString(frames << 12))
                        + " (the header says memory-mib " + memoryMib() + ")", c.text());
            }
        }
    }

    private static PvmmException malformed(Path path, String source, int line, String expected, String found) {
        return new PvmmException(PvmmError.MALFORMED_HOOK_RECORDING, source,
                Map.of("path", path, "line", line, "expected", expected, "found", found));
    }

    /** @return the recorded guest's paging mode */
    PagingMode mode() {
        return PagingMode.fromConfigName(header.get("mode"))
                .orElseThrow(() -> new IllegalArgumentException("mode is two-level or pae"));
    }

    /** @return the recorded guest's memory */
    long memoryMib() {
        return Long.parseLong(header.get("memory-mib"));
    }

    /** @return the recorded guest's vCPUs */
    int vcpus() {
        return Integer.parseInt(header.get("vcpus"));
    }

    /** @return what the recorded guest's layout allowed and reserved */
    PlatformRequirements platform() {
        return new PlatformRequirements(bool("pse"), bool("pge"), bool("unshared-kernel-pmd"),
                Long.decode(header.get("reserved-top")));
    }

    private boolean bool(String key) {
        String v = header.get(key);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(key + " is true or false");
        }
        return Boolean.parseBoolean(v);
    }

    /** @return the calls per method, in {@link Hook} order */
    Map<Hook, Long> counts() {
        Map<Hook, Long> m = new EnumMap<>(Hook.class);
        for (Hook h : Hook.values()) {
            m.put(h, 0L);
        }
        for (Call c : calls) {
            if (c.hook() != null) {
                m.merge(c.hook(), 1L, Long::sum);
            }
        }
        return m;
    }
}
