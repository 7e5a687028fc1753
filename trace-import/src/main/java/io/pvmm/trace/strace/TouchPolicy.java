package io.pvmm.trace.strace;

import io.pvmm.guest.workload.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * Which pages a replayed program touches. strace shows system calls, not page faults, so the import
 * decides: when memory becomes accessible ({@code mmap}, {@code mprotect} that adds write access, heap
 * growth, {@code mremap} growth or move, {@code exec}'s image), the task writes the first
 * {@code writePages} pages of what is writable — the top {@code stackPages} of a thread's stack
 * ({@code MAP_STACK}) — and, where nothing is writable, reads every {@code readStride}-th page of what is
 * readable, at most {@code readPages} of them. A page is touched only where the mapping allows the access,
 * so no touch faults a task to death. Zero turns a kind of touch off.
 *
 * @param writePages  pages written per writable mapping (default 16)
 * @param readPages   pages read per read-only mapping (default 4)
 * @param readStride  pages between two reads of a read-only mapping (default 16)
 * @param stackPages  pages written at the top of a thread's stack, and {@code exec}'s argument pages (default 2)
 */
public record TouchPolicy(int writePages, int readPages, int readStride, int stackPages) {

    /** The defaults. */
    public static final TouchPolicy DEFAULTS = new TouchPolicy(16, 4, 16, 2);

    /**
     * Checks the knobs.
     *
     * @param writePages  pages written
     * @param readPages   pages read
     * @param readStride  pages between reads
     * @param stackPages  stack pages
     */
    public TouchPolicy {
        if (writePages < 0 || readPages < 0 || readStride < 1 || stackPages < 1 || stackPages > 32) {
            throw new IllegalArgumentException("touch policy out of range: write pages and read pages at least 0, "
                    + "read stride at least 1, stack pages 1 to 32");
        }
    }

    /**
     * The touches for a range that just became accessible.
     *
     * @param pid    the task
     * @param mirror its address space
     * @param start  page-aligned start
     * @param end    page-aligned end
     * @param stack  whether the range is a thread's stack (touched at its top)
     * @return the touches, in address order
     */
    List<Op.Touch> touches(int pid, AddressSpaceMirror mirror, long start, long end, boolean stack) {
        List<Op.Touch> out = new ArrayList<>();
        List<long[]> writable = mirror.accessible(start, end, true);
        long page = LayoutPlan.PAGE;
        if (!writable.isEmpty()) {
            if (stack) {
                long[] top = writable.get(writable.size() - 1);
                long from = Math.max(top[0], top[1] - stackPages * page);
                out.add(new Op.Touch(pid, from, top[1] - from, true));
                return out;
            }
            long left = writePages * page;
            for (long[] run : writable) {
                if (left <= 0) {
                    break;
                }
                long len = Math.min(left, run[1] - run[0]);
                out.add(new Op.Touch(pid, run[0], len, true));
                left -= len;
            }
            return out;
        }
        List<long[]> readable = mirror.accessible(start, end, false);
        int n = 0;
        for (long at = start; at < end && n < readPages; at += readStride * page) {
            for (long[] run : readable) {
                if (at >= run[0] && at < run[1]) {
                    out.add(new Op.Touch(pid, at, page, false));
                    n++;
                    break;
                }
            }
        }
        return out;
    }
}
