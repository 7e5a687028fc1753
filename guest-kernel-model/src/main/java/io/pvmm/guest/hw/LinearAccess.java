package io.pvmm.guest.hw;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PageWalk;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import java.util.Objects;

/**
 * A vCPU's access to a linear address, as its MMU makes it: the TLB first; on a miss a walk of the
 * tables through {@link Mmu}, which sets the accessed bit of each entry it uses and the dirty bit of
 * the leaf on a write (Intel SDM vol. 3A, §4.8), then caches the translation. An access the tables
 * do not allow is a page fault: {@link #access(long, long, Mmu.Access, PageFaultHandler)} raises it
 * into the kernel's handler ({@link PageFaultHandler}) and restarts the access, as the faulting
 * instruction is restarted; {@link #access(long, long, Mmu.Access)} is one try, which answers
 * {@link Tlb#FAULT}.
 *
 * <p>The walk's bit updates are stores to page-table memory that no paravirt_ops call makes; the
 * backend learns of each through {@link ParavirtOps#accessedDirtySet}, of each walk through
 * {@link ParavirtOps#pageWalk} if it asked to ({@link ParavirtOps#observesPageWalks}), and of each page
 * fault raised through {@link ParavirtOps#pageFaultRaised}.
 *
 * <p><b>Threading:</b> each vCPU walks with its own trace; walks on different vCPUs are concurrent,
 * and the bit updates are atomic against the kernel's stores.
 */
public final class LinearAccess {

    private final PagingMode mode;
    private final Mmu mmu;
    private final Tlbs tlbs;
    private final PhysicalMemory memory;
    private final ParavirtOps ops;
    private final boolean observe;
    private final Walk[] walks;

    /**
     * Binds the access path.
     *
     * @param mode   the paging mode
     * @param mmu    the walker
     * @param tlbs   the vCPUs' TLBs
     * @param memory the guest's memory (for the accessed and dirty bits)
     * @param ops    the backend, told of bit updates and, if it asks, of walks
     */
    public LinearAccess(PagingMode mode, Mmu mmu, Tlbs tlbs, PhysicalMemory memory, ParavirtOps ops) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.mmu = Objects.requireNonNull(mmu, "mmu");
        this.tlbs = Objects.requireNonNull(tlbs, "tlbs");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.ops = Objects.requireNonNull(ops, "ops");
        this.observe = ops.observesPageWalks();
        this.walks = new Walk[tlbs.count()];
        for (int i = 0; i < walks.length; i++) {
            walks[i] = new Walk(i);
        }
    }

    /** @return the vCPUs' TLBs */
    public Tlbs tlbs() {
        return tlbs;
    }

    /**
     * Tries an access to a linear address once, on the calling vCPU, through the address space rooted
     * at {@code root} (the vCPU's CR3): no fault is raised.
     *
     * @param root   the root loaded on this vCPU
     * @param va     the linear address
     * @param access what the access is
     * @return the physical address reached, or {@link Tlb#FAULT} for a page fault
     */
    public long access(long root, long va, Mmu.Access access) {
        Tlb tlb = tlbs.current();
        long pa = tlb.lookup(va, access);
        if (pa != Tlb.MISS) {
            return pa;
        }
        return walk(tlb, root, va, access);
    }

    /**
     * Accesses a linear address on the calling vCPU as an instruction does: an access that faults
     * raises the page fault into the kernel's handler, and is restarted once the handler has fixed
     * it, until it reaches memory or the handler gives up. This is how every access the kernel or a
     * workload makes reaches guest memory.
     *
     * @param root   the root loaded on this vCPU (CR3)
     * @param va     the linear address
     * @param access what the access is
     * @param kernel the kernel's page-fault handler ({@code do_page_fault})
     * @return the physical address reached, or the handler's negative code when it gave up
     */
    public long access(long root, long va, Mmu.Access access, PageFaultHandler kernel) {
        long pa = access(root, va, access);
        for (int attempt = 0; pa == Tlb.FAULT; attempt++) {
            ops.pageFaultRaised(root, va, access.write(), access.user());
            int r = kernel.pageFault(root, va, access, attempt);
            if (r != PageFaultHandler.RETRY) {
                return r;
            }
            pa = access(root, va, access);
        }
        return pa;
    }

    private long walk(Tlb tlb, long root, long va, Mmu.Access access) {
        Walk w = walks[tlb.cpu()];
        Mmu.WalkTrace trace = w.trace;
        mmu.walk(root, va, trace);
        tlb.counters().walked(trace.levels());
        long pa = Tlb.FAULT;
        boolean small = trace.pageSize() == PagingMode.PAGE_SIZE;
        if (trace.permits(access) && setAccessedDirty(root, va, trace, access.write(), small)) {
            long leaf = trace.leaf();
            long size = trace.pageSize();
            tlb.fill(va & ~(size - 1) & 0xFFFF_FFFFL, trace.pagePa(), size, trace.writable(), trace.user(), trace.executable(),
                    (leaf & EntryBits.GLOBAL) != 0, access.write() || (leaf & EntryBits.DIRTY) != 0);
            pa = trace.pagePa() + (va & (size - 1));
        }
        if (observe) {
            w.set(root, va, access, pa);
            ops.pageWalk(w);
        }
        return pa;
    }

    /**
     * Sets A in each entry the walk used (a PAE pdpte has no accessed bit) and D in the leaf on a
     * write, each with a locked update that fails if the entry is no longer present.
     *
     * @return false if an entry vanished meanwhile (the access then faults and is retried)
     */
    private boolean setAccessedDirty(long root, long va, Mmu.WalkTrace trace, boolean write, boolean smallPage) {
        int first = mode == PagingMode.PAE ? 1 : 0;
        int last = trace.levels() - 1;
        for (int i = first; i <= last; i++) {
            long want = EntryBits.ACCESSED | (i == last && write ? EntryBits.DIRTY : 0);
            if ((trace.entry(i) & want) == want) {
                continue;
            }
            int r = memory.setBitsIfPresent(trace.entryAddress(i), (int) want);
            if (r < 0) {
                return false;
            }
            if (r > 0) {
                ops.accessedDirtySet(root, va, trace.entryAddress(i), i == last && smallPage ? 1 : 2);
            }
        }
        return true;
    }

    /** One vCPU's walk, as the backend sees it. */
    private static final class Walk implements PageWalk {
        private final int cpu;
        private final Mmu.WalkTrace trace = new Mmu.WalkTrace();
        private long root;
        private long address;
        private boolean write;
        private boolean user;
        private long pa;

        Walk(int cpu) {
            this.cpu = cpu;
        }

        void set(long root, long address, Mmu.Access access, long pa) {
            this.root = root;
            this.address = address;
            this.write = access.write();
            this.user = access.user();
            this.pa = pa;
        }

        @Override
        public int cpu() {
            return cpu;
        }

        @Override
        public long root() {
            return root;
        }

        @Override
        public long address() {
            return address;
        }

        @Override
        public boolean write() {
            return write;
        }

        @Override
        public boolean user() {
            return user;
        }

        @Override
        public int levels() {
            return trace.levels();
        }

        @Override
        public long entryAddress(int level) {
            return trace.entryAddress(Objects.checkIndex(level, trace.levels()));
        }

        @Override
        public boolean completed() {
            return pa >= 0;
        }

        @Override
        public long physicalAddress() {
            return pa;
        }
    }
}
