package io.pvmm.tck;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.mm.Mmap;
import io.pvmm.guest.mm.Vma;
import io.pvmm.guest.workload.Op;

/** Addresses and operations the kit's scenarios share. */
final class Layouts {

    /** One page. */
    static final long PAGE = PagingMode.PAGE_SIZE;
    /** The top of the user stack. */
    static final long STACK_TOP = Mmap.TASK_SIZE;
    /** Where program text starts. */
    static final long TEXT = ExecImage.TEXT_START;
    /** An anonymous region, aligned to 4 MiB so its pte tables are its own. */
    static final long ANON = 0x4000_0000L;
    /** A second region, in another 4 MiB span. */
    static final long FAR = 0x5000_0000L;
    /** Read and write. */
    static final int RW = Vma.READ | Vma.WRITE;

    private Layouts() {
    }

    /** @return a kernel thread {@code pid} that execs the default program (its stack pages written) */
    static Op[] process(int pid) {
        return new Op[] {new Op.Spawn(pid), new Op.Exec(pid, ExecImage.DEFAULT)};
    }

    /** @return {@code mmap} of {@code pages} private anonymous read-write pages at {@code addr} */
    static Op anon(int pid, long addr, long pages) {
        return new Op.Mmap(pid, addr, pages * PAGE, RW, 0, 0);
    }

    /** @return a write to every page of {@code [addr, addr + pages)} */
    static Op write(int pid, long addr, long pages) {
        return new Op.Touch(pid, addr, pages * PAGE, true);
    }

    /** @return a read of every page of {@code [addr, addr + pages)} */
    static Op read(int pid, long addr, long pages) {
        return new Op.Touch(pid, addr, pages * PAGE, false);
    }

    /** @return the address of page {@code i} of a region */
    static long page(long base, long i) {
        return base + i * PAGE;
    }
}
