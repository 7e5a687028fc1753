package io.pvmm.guest.workload;

import io.pvmm.guest.arch.PageAttr;
import io.pvmm.guest.kernel.ExecImage;
import java.util.Locale;

/**
 * One step of a workload: what a process or the kernel does that reaches the memory manager. Every
 * built-in workload is a stream of these, and so is a trace file, line for line
 * ({@link #traceLine()} is the line).
 */
public sealed interface Op {

    /** @return the task the operation runs as, or -1 for a kernel operation */
    int pid();

    /** @return the operation as a trace line */
    String traceLine();

    /** A kernel thread with no address space ({@code kernel_thread}); init before its first exec. */
    record Spawn(int pid) implements Op {
        public String traceLine() {
            return "spawn " + pid;
        }
    }

    /** {@code fork()}: {@code child} gets a copy of {@code pid}'s address space. */
    record Fork(int pid, int child) implements Op {
        public String traceLine() {
            return "fork " + pid + " " + child;
        }
    }

    /** {@code clone(CLONE_VM|CLONE_THREAD)}: a thread sharing {@code pid}'s address space. */
    record Clone(int pid, int tid) implements Op {
        public String traceLine() {
            return "clone " + pid + " " + tid;
        }
    }

    /** {@code execve}: a new address space mapped for {@code image}. */
    record Exec(int pid, ExecImage image) implements Op {
        public String traceLine() {
            String s = "exec " + pid;
            if (!image.equals(ExecImage.DEFAULT)) {
                s += " text=" + image.textPages() + " data=" + image.dataPages() + " bss=" + image.bssPages()
                        + " stack=" + image.stackPages() + " file=" + image.fileId();
            }
            return s;
        }
    }

    /** {@code mmap}: a mapping at {@code addr} (0: the kernel chooses), with {@link io.pvmm.guest.mm.Vma} flags. */
    record Mmap(int pid, long addr, long len, int flags, int fileId, long pgoff) implements Op {
        public String traceLine() {
            String s = String.format(Locale.ROOT, "mmap %d 0x%x 0x%x %s %s", pid, addr, len, Prot.format(flags),
                    (flags & io.pvmm.guest.mm.Vma.SHARED) != 0 ? "shared" : "private");
            return fileId == 0 ? s : s + " file=" + fileId + " pgoff=" + pgoff;
        }
    }

    /** {@code munmap}. */
    record Munmap(int pid, long addr, long len) implements Op {
        public String traceLine() {
            return String.format(Locale.ROOT, "munmap %d 0x%x 0x%x", pid, addr, len);
        }
    }

    /** {@code mprotect}. */
    record Mprotect(int pid, long addr, long len, int flags) implements Op {
        public String traceLine() {
            return String.format(Locale.ROOT, "mprotect %d 0x%x 0x%x %s", pid, addr, len, Prot.format(flags));
        }
    }

    /** {@code brk}. */
    record Brk(int pid, long addr) implements Op {
        public String traceLine() {
            return String.format(Locale.ROOT, "brk %d 0x%x", pid, addr);
        }
    }

    /** The task reads or writes every page of {@code [addr, addr + len)}: page faults as needed. */
    record Touch(int pid, long addr, long len, boolean write) implements Op {
        public String traceLine() {
            return String.format(Locale.ROOT, "touch %d 0x%x 0x%x %s", pid, addr, len, write ? "w" : "r");
        }
    }

    /** {@code sigaction(SIGSEGV, handler)}: the task catches {@code SIGSEGV}, and the handler stays installed. */
    record Sigaction(int pid) implements Op {
        public String traceLine() {
            return "sigaction " + pid + " segv";
        }
    }

    /** {@code sigreturn}: the task's {@code SIGSEGV} handler returns through its signal frame. */
    record Sigreturn(int pid) implements Op {
        public String traceLine() {
            return "sigreturn " + pid;
        }
    }

    /** {@code exit}. */
    record Exit(int pid) implements Op {
        public String traceLine() {
            return "exit " + pid;
        }
    }

    /** A driver allocates {@code pages} lowmem pages as buffer {@code id} ({@code alloc_pages(GFP_KERNEL)}). */
    record Kalloc(int id, int pages) implements Op {
        public int pid() {
            return -1;
        }

        public String traceLine() {
            return "kalloc " + id + " " + pages;
        }
    }

    /** The driver frees buffer {@code id}. */
    record Kfree(int id) implements Op {
        public int pid() {
            return -1;
        }

        public String traceLine() {
            return "kfree " + id;
        }
    }

    /** {@code change_page_attr} on buffer {@code id}'s pages. */
    record ChangePageAttr(int id, PageAttr.Attr attr) implements Op {
        public int pid() {
            return -1;
        }

        public String traceLine() {
            return "change_page_attr " + id + " " + attr.name().toLowerCase(Locale.ROOT).replace("_", "-");
        }
    }

    /** {@code global_flush_tlb}. */
    record GlobalFlushTlb() implements Op {
        public int pid() {
            return -1;
        }

        public String traceLine() {
            return "global_flush_tlb";
        }
    }

    /** {@code vmalloc} of {@code pages} pages as area {@code id}. */
    record Vmalloc(int id, int pages) implements Op {
        public int pid() {
            return -1;
        }

        public String traceLine() {
            return "vmalloc " + id + " " + pages;
        }
    }

    /** {@code vfree} of area {@code id}. */
    record Vfree(int id) implements Op {
        public int pid() {
            return -1;
        }

        public String traceLine() {
            return "vfree " + id;
        }
    }

    /** The kernel reads area {@code id} while {@code pid}'s address space is loaded: vmalloc faults as needed. */
    record Vtouch(int pid, int id) implements Op {
        public String traceLine() {
            return "vtouch " + pid + " " + id;
        }
    }

    /** {@code vmalloc_sync_all}. */
    record VmallocSyncAll() implements Op {
        public int pid() {
            return -1;
        }

        public String traceLine() {
            return "vmalloc_sync_all";
        }
    }

    /** The slab reaper shrinks the page-table caches ({@code cache_reap}/{@code kmem_cache_shrink}). */
    record Reap() implements Op {
        public int pid() {
            return -1;
        }

        public String traceLine() {
            return "reap";
        }
    }

    /** Protection flags in the trace's {@code rwx} notation. */
    final class Prot {
        private Prot() {
        }

        /**
         * Formats {@link io.pvmm.guest.mm.Vma} protection flags as {@code rwx}/{@code r-x}/{@code ---}.
         *
         * @param flags vma flags
         * @return the three letters
         */
        public static String format(int flags) {
            return ((flags & io.pvmm.guest.mm.Vma.READ) != 0 ? "r" : "-")
                    + ((flags & io.pvmm.guest.mm.Vma.WRITE) != 0 ? "w" : "-")
                    + ((flags & io.pvmm.guest.mm.Vma.EXEC) != 0 ? "x" : "-");
        }

        /**
         * Parses {@code rwx} notation.
         *
         * @param text three letters
         * @return vma flags, or -1 if the text is not {@code [r-][w-][x-]}
         */
        public static int parse(String text) {
            if (text.length() != 3) {
                return -1;
            }
            int flags = 0;
            char r = text.charAt(0);
            char w = text.charAt(1);
            char x = text.charAt(2);
            if ((r != 'r' && r != '-') || (w != 'w' && w != '-') || (x != 'x' && x != '-')) {
                return -1;
            }
            flags |= r == 'r' ? io.pvmm.guest.mm.Vma.READ : 0;
            flags |= w == 'w' ? io.pvmm.guest.mm.Vma.WRITE : 0;
            flags |= x == 'x' ? io.pvmm.guest.mm.Vma.EXEC : 0;
            return flags;
        }
    }
}
