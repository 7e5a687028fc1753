package io.pvmm.trace.strace;

/**
 * What a task did that reaches the memory manager, in 64-bit addresses, in the order the trace will
 * replay it: the process tracker's output and the address mapper's and op writer's input. {@code layout}
 * names the address-space lineage whose address map the event uses: one per {@code execve}, shared by
 * the processes forked from it until they exec themselves.
 */
sealed interface MmEvent {

    /** @return the strace line the event comes from (0 for the import's own events) */
    int line();

    /** @return the task */
    int pid();

    /** The traced root process appears (before its first {@code execve}). */
    record Root(int line, int pid) implements MmEvent {
    }

    /** {@code child} is created by {@code pid}: a thread sharing its address space, or a process with a copy. */
    record Create(int line, int pid, int child, boolean thread) implements MmEvent {
    }

    /** A successful {@code execve} of {@code path}: a new address space, lineage {@code layout}. */
    record Exec(int line, int pid, String path, int layout) implements MmEvent {
    }

    /**
     * A successful {@code mmap} at {@code addr} (what it returned).
     *
     * @param prot    {@link io.pvmm.guest.mm.Vma} protection bits
     * @param shared  {@code MAP_SHARED}
     * @param stack   {@code MAP_STACK} or {@code MAP_GROWSDOWN}: a thread's stack
     * @param fixed   {@code MAP_FIXED}: the caller chose the address
     * @param fileKey what names the file ({@code path:...}, {@code len:...}), or null for anonymous memory
     * @param pgoff   the file page mapped at {@code addr}
     */
    record Map(int line, int pid, int layout, long addr, long len, int prot, boolean shared, boolean stack, boolean fixed,
               String fileKey, long pgoff) implements MmEvent {
    }

    /** A successful {@code munmap}. */
    record Unmap(int line, int pid, int layout, long addr, long len) implements MmEvent {
    }

    /** A successful {@code mprotect} to {@link io.pvmm.guest.mm.Vma} protection {@code prot}. */
    record Protect(int line, int pid, int layout, long addr, long len, int prot) implements MmEvent {
    }

    /** A successful {@code mremap} of {@code [addr, addr + oldLen)} to {@code newLen} bytes at {@code newAddr}. */
    record Remap(int line, int pid, int layout, long addr, long oldLen, long newLen, long newAddr) implements MmEvent {
    }

    /** A {@code brk} call that returned {@code value}: the heap's end (its start, for the first in a lineage). */
    record Brk(int line, int pid, int layout, long value) implements MmEvent {
    }

    /** The task ends. */
    record Exit(int line, int pid) implements MmEvent {
    }
}
