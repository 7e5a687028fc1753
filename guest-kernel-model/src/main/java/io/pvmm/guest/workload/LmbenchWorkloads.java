package io.pvmm.guest.workload;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.mm.Mmap;
import io.pvmm.guest.mm.Vma;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * lmbench's latency benchmarks at the level of the memory manager: what each loop body of lmbench 3
 * ({@code src/lat_proc.c}, {@code lat_pagefault.c}, {@code lat_mmap.c}, {@code lat_sig.c}, {@code lat_ctx.c}; read in the
 * lmbench3 sources, e.g. repository {@code revyos/lmbench3}) does to address spaces and page tables.
 * System calls that do not touch page tables ({@code close(1)}, {@code write} to a pipe, {@code msync})
 * are left out; the cost model prices them as system calls where it counts them.
 *
 * <p>The benchmark process: an lmbench binary (the default {@link ExecImage}: 16 text pages, 4 data,
 * 4 bss, 2 stack) with the C library mapped as glibc 2.3 maps it (text 256 pages, 32 of them used;
 * data 8 pages, written) and a malloc heap of 16 pages, written. These sizes are assumptions, stated
 * here; they set how many ptes and pte pages a fork copies. {@code /tmp/hello} (lmbench's
 * {@code hello.c}, static) is 2 text pages, 1 data, 1 bss, 1 stack page; {@code /bin/sh} is bash 2
 * (text 160 pages, 48 used; data 16; bss 8) with the C library, as above.
 */
public final class LmbenchWorkloads {

    /** Iterations by default: enough that the per-iteration counts settle. */
    public static final int ITERATIONS = 64;

    private static final long PAGE = PagingMode.PAGE_SIZE;
    private static final long STACK_TOP = Mmap.TASK_SIZE;
    /** Where the benchmark process maps the C library (text, then data, then the heap). */
    private static final long LIBC = 0x4000_0000L;
    private static final int LIBC_FILE = 11;
    private static final int LIBC_TEXT = 256;
    private static final int LIBC_TEXT_USED = 32;
    private static final int LIBC_DATA = 8;
    private static final int HEAP = 16;
    /** The file lat_pagefault and lat_mmap map: lmbench's scratch file. */
    private static final int SCRATCH_FILE = 21;
    private static final long SCRATCH = 0x6000_0000L;
    /** lat_pagefault needs at least 1 MiB ("too small" below); 256 pages. */
    private static final int PAGEFAULT_PAGES = 256;
    /** lat_mmap's size: 8 MiB, the size of lmbench's own example output ({@code 8.00 1200}). */
    private static final long MMAP_SIZE = 8L << 20;
    /** lat_mmap touches one byte every {@code PSIZE} (16 KiB) of the first {@code size / N} ({@code N} = 10). */
    private static final long MMAP_PSIZE = 16L << 10;

    /** The benchmark binary. */
    static final ExecImage LMBENCH = ExecImage.DEFAULT;
    /** lmbench's {@code hello.c}, linked static. */
    static final ExecImage HELLO = new ExecImage(2, 2, 1, 1, 1);
    /** {@code /bin/sh}. */
    static final ExecImage SH = new ExecImage(3, 160, 16, 8, 2);
    private static final int SH_TEXT_USED = 48;

    private LmbenchWorkloads() {
    }

    /**
     * Every lmbench-shaped workload.
     *
     * @param iterations how many times each loop runs
     * @return the workloads by name, in listing order
     */
    public static Map<String, LmbenchWorkload> all(int iterations) {
        Map<String, LmbenchWorkload> m = new LinkedHashMap<>();
        for (LmbenchWorkload w : List.of(latFork(iterations), latExec(iterations), latShell(iterations),
                latPagefault(iterations), latMmap(iterations), latProtfault(iterations), latCtx(iterations))) {
            m.put(w.name(), w);
        }
        return m;
    }

    /**
     * {@code lat_proc fork} ({@code do_fork}): fork; the child calls {@code exit(1)}; the parent waits.
     * The child runs first (the 2.6.21 scheduler puts it ahead of its parent) and its exit writes its
     * stack; the parent, back from {@code wait}, writes its own.
     *
     * @param n iterations
     * @return {@code lat-fork}
     */
    public static LmbenchWorkload latFork(int n) {
        return new LmbenchWorkload("lat-fork", "lmbench lat_proc fork: fork, the child exits, the parent waits (one fork per iteration)",
                "fork", 1, benchmarkProcess(), i -> {
                    int child = child(i);
                    return List.of(new Op.Fork(1, child), stackWrite(child), new Op.Exit(child), stackWrite(1));
                }, List.of(new Op.Exit(1)), n);
    }

    /**
     * {@code lat_proc exec} ({@code do_forkexec}): fork; the child execs {@code /tmp/hello}, which runs and
     * exits; the parent waits.
     *
     * @param n iterations
     * @return {@code lat-exec}
     */
    public static LmbenchWorkload latExec(int n) {
        return new LmbenchWorkload("lat-exec", "lmbench lat_proc exec: fork, the child execs a small static program that exits",
                "fork+execve", 1, benchmarkProcess(), i -> {
                    int child = child(i);
                    List<Op> ops = new ArrayList<>(List.of(new Op.Fork(1, child), stackWrite(child), new Op.Exec(child, HELLO)));
                    ops.addAll(runImage(child, HELLO, HELLO.textPages()));
                    ops.add(new Op.Exit(child));
                    ops.add(stackWrite(1));
                    return ops;
                }, List.of(new Op.Exit(1)), n);
    }

    /**
     * {@code lat_proc shell} ({@code do_shell}): fork; the child execs {@code /bin/sh -c /tmp/hello}; the
     * shell maps the C library, runs, and execs the program in its place (a shell runs the last command
     * of {@code -c} without forking again); the parent waits.
     *
     * @param n iterations
     * @return {@code lat-shell}
     */
    public static LmbenchWorkload latShell(int n) {
        return new LmbenchWorkload("lat-shell", "lmbench lat_proc shell: fork, the child execs /bin/sh -c, which execs a small program",
                "fork+/bin/sh -c", 1, benchmarkProcess(), i -> {
                    int child = child(i);
                    List<Op> ops = new ArrayList<>(List.of(new Op.Fork(1, child), stackWrite(child), new Op.Exec(child, SH)));
                    ops.addAll(runImage(child, SH, SH_TEXT_USED));
                    ops.addAll(libc(child));
                    ops.add(new Op.Exec(child, HELLO));
                    ops.addAll(runImage(child, HELLO, HELLO.textPages()));
                    ops.add(new Op.Exit(child));
                    ops.add(stackWrite(1));
                    return ops;
                }, List.of(new Op.Exit(1)), n);
    }

    /**
     * {@code lat_pagefault} ({@code benchmark}): the file is mapped shared and read-only; each pass reads
     * one byte of every page (its pages are in the page cache), then unmaps and maps it again. lmbench
     * subtracts the unmap and map ({@code benchmark_mmap}) and reports per page: here a pass is one
     * iteration of {@value #PAGEFAULT_PAGES} page faults, the unmap and map included.
     *
     * @param n iterations
     * @return {@code lat-pagefault}
     */
    public static LmbenchWorkload latPagefault(int n) {
        long len = PAGEFAULT_PAGES * PAGE;
        List<Op> setup = benchmarkProcess();
        setup.add(new Op.Mmap(1, SCRATCH, len, Vma.READ | Vma.SHARED, SCRATCH_FILE, 0));
        return new LmbenchWorkload("lat-pagefault", "lmbench lat_pagefault: read one byte of each page of a mapped, cached file",
                "page fault", PAGEFAULT_PAGES, setup, i -> List.of(new Op.Touch(1, SCRATCH, len, false),
                        new Op.Munmap(1, SCRATCH, len), new Op.Mmap(1, SCRATCH, len, Vma.READ | Vma.SHARED, SCRATCH_FILE, 0)),
                List.of(new Op.Munmap(1, SCRATCH, len), new Op.Exit(1)), n);
    }

    /**
     * {@code lat_mmap} ({@code domapping}, not random): map 8 MiB of the file shared and writable, write one
     * byte every 16 KiB of its first tenth, unmap.
     *
     * @param n iterations
     * @return {@code lat-mmap}
     */
    public static LmbenchWorkload latMmap(int n) {
        return new LmbenchWorkload("lat-mmap", "lmbench lat_mmap: map 8 MiB of a file, write every 16 KiB of its first tenth, unmap",
                "mmap+munmap", 1, benchmarkProcess(), i -> {
                    List<Op> ops = new ArrayList<>();
                    ops.add(new Op.Mmap(1, SCRATCH, MMAP_SIZE, Vma.READ | Vma.WRITE | Vma.SHARED, SCRATCH_FILE, 0));
                    for (long p = 0; p < MMAP_SIZE / 10; p += MMAP_PSIZE) {
                        ops.add(new Op.Touch(1, SCRATCH + p, 1, true));
                    }
                    ops.add(new Op.Munmap(1, SCRATCH, MMAP_SIZE));
                    return ops;
                }, List.of(new Op.Exit(1)), n);
    }

    /**
     * {@code lat_sig prot} ({@code initialize}, {@code do_prot}, {@code prot}): one page of a file is
     * mapped shared and read-only, {@code SIGSEGV} gets a handler, and the benchmark stores to the page
     * ({@code *state->where = 1}) without ever reading it. The store faults on a pte that is not present
     * in a vma without {@code VM_WRITE}: {@code do_page_fault}'s {@code bad_area}, {@code SIGSEGV},
     * {@code setup_frame} on the user stack; the handler ({@code prot}) counts the fault in the binary's
     * bss ({@code ++caught}) on its own frame below the signal frame and returns, through the restorer,
     * to {@code sigreturn}; the store is restarted and faults again, which is the next iteration. No
     * page table changes. lmbench reports this loop less its {@code lat_sig catch} figure
     * ({@code bench_prot} subtracts it: "assume that they will cost the same as a normal catch"); the
     * model counts the whole loop, the delivery and {@code sigreturn} with it.
     *
     * @param n iterations
     * @return {@code lat-protfault}
     */
    public static LmbenchWorkload latProtfault(int n) {
        List<Op> setup = benchmarkProcess();
        setup.add(new Op.Mmap(1, SCRATCH, PAGE, Vma.READ | Vma.SHARED, SCRATCH_FILE, 0));
        setup.add(new Op.Sigaction(1));
        long caught = ExecImage.TEXT_START + (LMBENCH.textPages() + LMBENCH.dataPages()) * PAGE;
        return new LmbenchWorkload("lat-protfault", "lmbench lat_sig prot: a store to a read-only mapped page, SIGSEGV to a handler, sigreturn",
                "protection fault", 1, setup, i -> List.of(new Op.Touch(1, SCRATCH, 1, true), stackWrite(1),
                        new Op.Touch(1, caught, 1, true), new Op.Sigreturn(1)),
                List.of(new Op.Munmap(1, SCRATCH, PAGE), new Op.Exit(1)), n);
    }

    /**
     * {@code lat_ctx 2} with a 0 KiB footprint: two processes pass a token through pipes, so each runs in
     * turn; every pass is a context switch to the other address space ({@code switch_mm}: CR3). lmbench
     * subtracts the pipe's own cost and reports per switch: one iteration is two switches.
     *
     * @param n iterations
     * @return {@code lat-ctx}
     */
    public static LmbenchWorkload latCtx(int n) {
        List<Op> setup = benchmarkProcess();
        setup.add(new Op.Fork(1, 2));
        setup.add(stackWrite(2));
        setup.add(stackWrite(1));
        return new LmbenchWorkload("lat-ctx", "lmbench lat_ctx 2 processes, 0 KiB: a token passed back and forth, a switch each way",
                "context switch", 2, setup, i -> List.of(stackWrite(2), stackWrite(1)),
                List.of(new Op.Exit(2), new Op.Exit(1)), n);
    }

    /** The benchmark process, pid 1: exec'd, its pages and the C library's in use. */
    private static List<Op> benchmarkProcess() {
        List<Op> ops = new ArrayList<>();
        ops.add(new Op.Spawn(1));
        ops.add(new Op.Exec(1, LMBENCH));
        ops.addAll(runImage(1, LMBENCH, LMBENCH.textPages()));
        ops.addAll(libc(1));
        return ops;
    }

    /** The C library mapped and used: text read, data and heap written. */
    private static List<Op> libc(int pid) {
        long data = LIBC + LIBC_TEXT * PAGE;
        long heap = data + LIBC_DATA * PAGE;
        return List.of(
                new Op.Mmap(pid, LIBC, LIBC_TEXT * PAGE, Vma.READ | Vma.EXEC, LIBC_FILE, 0),
                new Op.Mmap(pid, data, LIBC_DATA * PAGE, Vma.READ | Vma.WRITE, LIBC_FILE, LIBC_TEXT),
                new Op.Mmap(pid, heap, HEAP * PAGE, Vma.READ | Vma.WRITE, 0, 0),
                new Op.Touch(pid, LIBC, LIBC_TEXT_USED * PAGE, false),
                new Op.Touch(pid, data, LIBC_DATA * PAGE, true),
                new Op.Touch(pid, heap, HEAP * PAGE, true));
    }

    /** A program runs: reads its text, writes its data, bss and stack. */
    private static List<Op> runImage(int pid, ExecImage image, int textUsed) {
        long data = ExecImage.TEXT_START + image.textPages() * PAGE;
        long bss = data + image.dataPages() * PAGE;
        List<Op> ops = new ArrayList<>();
        ops.add(new Op.Touch(pid, ExecImage.TEXT_START, textUsed * PAGE, false));
        if (image.dataPages() > 0) {
            ops.add(new Op.Touch(pid, data, image.dataPages() * PAGE, true));
        }
        if (image.bssPages() > 0) {
            ops.add(new Op.Touch(pid, bss, image.bssPages() * PAGE, true));
        }
        ops.add(new Op.Touch(pid, STACK_TOP - image.stackPages() * PAGE, image.stackPages() * PAGE, true));
        return ops;
    }

    /** The task writes the top page of its stack (a call, a return value). */
    private static Op stackWrite(int pid) {
        return new Op.Touch(pid, STACK_TOP - PAGE, PAGE, true);
    }

    private static int child(int iteration) {
        return 2 + iteration;
    }
}
