package io.pvmm.trace.strace;

import java.util.Map;

/**
 * Reads the memory calls' arguments into {@link MmEvent}s: {@code mmap}/{@code mmap2}, {@code munmap},
 * {@code mprotect}/{@code pkey_mprotect}, {@code mremap}, {@code brk}.
 *
 * <p>strace shows a file descriptor, not a file: a file is named by its {@code -y} path when the log has
 * one, else by the length of the first mapping made from that descriptor without {@code MAP_FIXED} (the
 * dynamic loader's reservation of a whole library, or a data file's size), which the descriptor's later
 * {@code MAP_FIXED} mappings share. The same library so gets the same name in every process.
 */
final class MemoryCalls {

    private MemoryCalls() {
    }

    /**
     * The event of a successful memory call.
     *
     * @param call   the call
     * @param layout the caller's address-space lineage
     * @param files  the caller's file names by descriptor (updated)
     * @return the event
     * @throws NumberFormatException     if an argument is not a number
     * @throws IndexOutOfBoundsException if an argument is missing
     */
    static MmEvent event(Syscall call, int layout, Map<Long, String> files) {
        int line = call.line();
        int pid = call.pid();
        need(call, switch (call.name()) {
            case "mmap", "mmap2", "mremap" -> 4;
            case "mprotect" -> 3;
            case "pkey_mprotect" -> 4;
            case "munmap" -> 2;
            default -> 1;
        });
        return switch (call.name()) {
            case "mmap", "mmap2" -> {
                String flags = call.arg(3);
                boolean anonymous = Flags.has(flags, Flags.MAP_ANONYMOUS);
                long offset = call.args().size() > 5 ? call.number(5) : 0;
                long pgoff = call.name().equals("mmap2") ? offset : offset >>> 12;
                String key = null;
                if (!anonymous) {
                    long fd = call.number(4);
                    String path = call.decoration(4);
                    if (!path.isEmpty()) {
                        key = "path:" + path;
                    } else if (Flags.has(flags, Flags.MAP_FIXED) && files.containsKey(fd)) {
                        key = files.get(fd);
                    } else {
                        key = "len:" + call.number(1);
                    }
                    files.put(fd, key);
                }
                yield new MmEvent.Map(line, pid, layout, call.value(), call.number(1), Flags.prot(call.arg(2)),
                        Flags.has(flags, Flags.MAP_SHARED), Flags.has(flags, Flags.MAP_STACK) || Flags.has(flags, Flags.MAP_GROWSDOWN),
                        Flags.has(flags, Flags.MAP_FIXED) || Flags.has(flags, Flags.MAP_FIXED_NOREPLACE), key, pgoff);
            }
            case "munmap" -> new MmEvent.Unmap(line, pid, layout, call.number(0), call.number(1));
            case "mprotect", "pkey_mprotect" -> new MmEvent.Protect(line, pid, layout, call.number(0), call.number(1),
                    Flags.prot(call.arg(2)));
            case "mremap" -> new MmEvent.Remap(line, pid, layout, call.number(0), call.number(1), call.number(2), call.value());
            case "brk" -> new MmEvent.Brk(line, pid, layout, call.value());
            default -> throw new IllegalArgumentException("not a memory call: " + call.name());
        };
    }

    private static void need(Syscall call, int n) {
        if (call.args().size() < n) {
            throw new IndexOutOfBoundsException(call.name() + " has " + call.args().size() + " arguments, needs " + n);
        }
    }

    /**
     * The form strace writes a call in, for messages.
     *
     * @param name the call
     * @return e.g. {@code mmap(ADDR|NULL, LEN, PROT_..., MAP_..., FD, OFFSET) = ADDR}
     */
    static String form(String name) {
        return switch (name) {
            case "mmap", "mmap2" -> name + "(ADDR|NULL, LEN, PROT_...|..., MAP_...|..., FD, OFFSET) = ADDR";
            case "munmap" -> "munmap(ADDR, LEN) = 0";
            case "mprotect" -> "mprotect(ADDR, LEN, PROT_...|...) = 0";
            case "pkey_mprotect" -> "pkey_mprotect(ADDR, LEN, PROT_...|..., PKEY) = 0";
            case "mremap" -> "mremap(ADDR, OLD_LEN, NEW_LEN, MREMAP_...[, NEW_ADDR]) = ADDR";
            case "brk" -> "brk(ADDR|NULL) = ADDR";
            default -> name + "(...) = VALUE";
        };
    }
}
