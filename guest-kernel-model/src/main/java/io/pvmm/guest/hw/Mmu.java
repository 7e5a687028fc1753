package io.pvmm.guest.hw;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;

/**
 * The hardware page walker, independent of the model's kernel code: translates a virtual address
 * through a root the way an i386 MMU does, so tests and comparisons can check the page tables the
 * kernel built rather than trust its own bookkeeping.
 *
 * <ul>
 *   <li>2-level: PDE, then a 4 MiB page if PS is set and CR4.PSE is on, else the PTE;</li>
 *   <li>PAE: PDPTE (present bit only), PDE (a 2 MiB page if PS), PTE; NX (bit 63) with EFER.NXE;</li>
 *   <li>permissions: user access needs U at every level, a write needs RW at every level (CR0.WP is
 *       set, so supervisor writes obey RW too), an instruction fetch needs NX clear at every level.</li>
 * </ul>
 *
 * <p>Entries are read through {@code pte_val} ({@link #Mmu}'s {@code entryValue}), so a backend that
 * stores machine frame numbers is walked in guest-physical terms: the translation is what the guest
 * sees.
 */
public final class Mmu {

    /**
     * A present mapping of one page.
     *
     * @param va         the virtual address of the page (aligned to {@code pageSize})
     * @param pa         the physical address it maps to (aligned likewise)
     * @param pageSize   4 KiB, 2 MiB or 4 MiB
     * @param writable   RW at every level
     * @param user       U at every level
     * @param executable NX clear at every level
     */
    public record Translation(long va, long pa, long pageSize, boolean writable, boolean user, boolean executable) {

        /** @return the physical frame the page starts at */
        public long pfn() {
            return pa >>> PagingMode.PAGE_SHIFT;
        }

        /**
         * The same mapping narrowed to the 4 KiB page containing {@code address}.
         *
         * @param address an address inside this mapping
         * @return a 4 KiB translation
         */
        public Translation page(long address) {
            long off = (address - va) & ~(PagingMode.PAGE_SIZE - 1L);
            return new Translation(va + off, pa + off, PagingMode.PAGE_SIZE, writable, user, executable);
        }
    }

    /** An access the MMU checks. */
    public enum Access {
        /** A user-mode read. */
        USER_READ(true, false, false),
        /** A user-mode write. */
        USER_WRITE(true, true, false),
        /** A user-mode instruction fetch. */
        USER_EXECUTE(true, false, true),
        /** A supervisor read. */
        KERNEL_READ(false, false, false),
        /** A supervisor write. */
        KERNEL_WRITE(false, true, false);

        private final boolean user;
        private final boolean write;
        private final boolean execute;

        Access(boolean user, boolean write, boolean execute) {
            this.user = user;
            this.write = write;
            this.execute = execute;
        }

        /** @return whether the access is made in user mode (CPL 3) */
        public boolean user() {
            return user;
        }

        /** @return whether the access writes */
        public boolean write() {
            return write;
        }

        /** @return whether the access fetches an instruction */
        public boolean execute() {
            return execute;
        }
    }

    private final GuestMemory memory;
    private final PagingMode mode;
    private final LongUnaryOperator entryValue;
    private final boolean pse;

    /**
     * Creates a walker.
     *
     * @param memory     physical memory
     * @param mode       the paging mode (CR4.PAE)
     * @param entryValue {@code pte_val}: stored entry to guest form
     * @param pse        CR4.PSE: whether PS in a 2-level PDE means a large page (always honoured in PAE)
     */
    public Mmu(GuestMemory memory, PagingMode mode, LongUnaryOperator entryValue, boolean pse) {
        this.memory = memory;
        this.mode = mode;
        this.entryValue = entryValue;
        this.pse = pse;
    }

    /**
     * Translates one address.
     *
     * @param rootPa the root (CR3)
     * @param va     a 32-bit virtual address
     * @return the mapping, or null if the address is not mapped
     */
    public Translation translate(long rootPa, long va) {
        long r = resolve(rootPa, va, null);
        if (r < 0) {
            return null;
        }
        long size = pageSize(r);
        return new Translation(va & ~(size - 1) & 0xFFFF_FFFFL, r & ~(size - 1), size, (r & R_RW) != 0, (r & R_USER) != 0,
                (r & R_EXEC) != 0);
    }

    // a walk's result packed in a long, the page's physical address with flags in its low bits, so
    // the TLB's miss path allocates nothing
    private static final long R_RW = 1;
    private static final long R_USER = 2;
    private static final long R_EXEC = 4;
    private static final long R_LARGE = 8;

    private long pageSize(long r) {
        return (r & R_LARGE) != 0 ? mode.pmdSize() : PagingMode.PAGE_SIZE;
    }

    /**
     * What one walk read, for the hardware's TLB-miss path: the physical address and the value (in
     * guest form) of each entry, the root's entry first. A walk reads 2 entries in 2-level mode
     * (1 for a 4 MiB page), 3 in PAE mode (2 for a 2 MiB page), fewer when it stops at an entry that
     * is not present. Reused from walk to walk by its owner.
     */
    public static final class WalkTrace {
        private final long[] pa = new long[3];
        private final long[] entry = new long[3];
        private int levels;
        private long result = -1;
        private long pageSize;

        /** @return how many entries the walk read */
        public int levels() {
            return levels;
        }

        /**
         * @param level from 0 (the root's entry) to {@link #levels()} - 1
         * @return the physical address of the entry read at that step
         */
        public long entryAddress(int level) {
            return pa[level];
        }

        /**
         * @param level from 0 (the root's entry) to {@link #levels()} - 1
         * @return the entry read at that step, in guest form
         */
        public long entry(int level) {
            return entry[level];
        }

        /** @return the last entry read: the leaf when the walk found a mapping */
        public long leaf() {
            return entry[levels - 1];
        }

        /** @return whether the walk found a present mapping */
        public boolean mapped() {
            return result >= 0;
        }

        /** @return the physical address of the page found (aligned to {@link #pageSize()}) */
        public long pagePa() {
            return result & ~(pageSize - 1);
        }

        /** @return the size of the page found: 4 KiB, 2 MiB or 4 MiB */
        public long pageSize() {
            return pageSize;
        }

        /** @return RW at every level */
        public boolean writable() {
            return (result & R_RW) != 0;
        }

        /** @return U at every level */
        public boolean user() {
            return (result & R_USER) != 0;
        }

        /** @return NX clear at every level */
        public boolean executable() {
            return (result & R_EXEC) != 0;
        }

        /**
         * Whether the mapping found allows an access.
         *
         * @param access the access
         * @return false when nothing is mapped or a permission is missing
         */
        public boolean permits(Access access) {
            return mapped() && (!access.user || user()) && (!access.write || writable()) && (!access.execute || executable());
        }

        void read(long entryPa, long value) {
            pa[levels] = entryPa;
            entry[levels++] = value;
        }
    }

    /**
     * Walks for one address as the MMU does on a TLB miss, without allocating: the entries read and
     * the mapping found go to {@code trace}.
     *
     * @param rootPa the root (CR3)
     * @param va     a 32-bit virtual address
     * @param trace  where the walk's entries and result go (reset first)
     * @return whether a mapping was found ({@link WalkTrace#mapped()})
     */
    public boolean walk(long rootPa, long va, WalkTrace trace) {
        long r = resolve(rootPa, va, trace);
        trace.result = r;
        trace.pageSize = r < 0 ? 0 : pageSize(r);
        return r >= 0;
    }

    /** The walk: the page's physical address with the R_ flags, or -1 when nothing is mapped. */
    private long resolve(long rootPa, long va, WalkTrace trace) {
        if (trace != null) {
            trace.levels = 0;
        }
        long pdePa;
        boolean nx = false;
        if (mode == PagingMode.PAE) {
            long pdptePa = rootPa + (long) mode.pgdIndex(va) * 8;
            long pdpte = read(pdptePa);
            if (trace != null) {
                trace.read(pdptePa, pdpte);
            }
            if (!EntryBits.isPresent(pdpte)) {
                return -1;
            }
            pdePa = (pdpte & mode.frameMask()) + (long) mode.pmdIndex(va) * 8;
        } else {
            pdePa = rootPa + (long) mode.pgdIndex(va) * 4;
        }
        long pde = read(pdePa);
        if (trace != null) {
            trace.read(pdePa, pde);
        }
        if (!EntryBits.isPresent(pde)) {
            return -1;
        }
        boolean rw = EntryBits.isWritable(pde);
        boolean user = (pde & EntryBits.USER) != 0;
        nx |= mode == PagingMode.PAE && (pde & EntryBits.NX) != 0;
        if ((pde & EntryBits.PSE) != 0 && (pse || mode == PagingMode.PAE)) {
            long base = pde & mode.frameMask() & ~(mode.pmdSize() - 1);
            return base | R_LARGE | (rw ? R_RW : 0) | (user ? R_USER : 0) | (nx ? 0 : R_EXEC);
        }
        long ptePa = (pde & mode.frameMask()) + (long) mode.pteIndex(va) * mode.entryBytes();
        long pte = read(ptePa);
        if (trace != null) {
            trace.read(ptePa, pte);
        }
        if (!EntryBits.isPresent(pte)) {
            return -1;
        }
        rw &= EntryBits.isWritable(pte);
        user &= (pte & EntryBits.USER) != 0;
        nx |= mode == PagingMode.PAE && (pte & EntryBits.NX) != 0;
        return (pte & mode.frameMask()) | (rw ? R_RW : 0) | (user ? R_USER : 0) | (nx ? 0 : R_EXEC);
    }

    /**
     * Whether an access to an address would complete without a page fault.
     *
     * @param rootPa the root
     * @param va     the address
     * @param access the kind of access
     * @return whether the MMU allows it
     */
    public boolean allows(long rootPa, long va, Access access) {
        return permits(translate(rootPa, va), access);
    }

    /**
     * Whether a mapping allows an access.
     *
     * @param t      a translation, or null
     * @param access the kind of access
     * @return whether the access completes without a page fault
     */
    public static boolean permits(Translation t, Access access) {
        return t != null && (!access.user || t.user()) && (!access.write || t.writable()) && (!access.execute || t.executable());
    }

    /**
     * Visits every present 4 KiB page in {@code [from, to)}, large pages split into their 4 KiB
     * pages, in address order. Skips absent tables without visiting their range.
     *
     * @param rootPa the root
     * @param from   first address (page-aligned)
     * @param to     end address, exclusive; up to 2^32
     * @param action called for each page
     */
    public void forEachPage(long rootPa, long from, long to, Consumer<Translation> action) {
        long va = from & ~(PagingMode.PAGE_SIZE - 1L);
        while (va < to) {
            long pmdSpan = mode.pmdSize();
            long pmdEnd = Math.min(to, (va & ~(pmdSpan - 1)) + pmdSpan);
            if (mode == PagingMode.PAE) {
                long pdpte = read(rootPa + (long) mode.pgdIndex(va) * 8);
                if (!EntryBits.isPresent(pdpte)) {
                    va = (va & ~((1L << 30) - 1)) + (1L << 30);
                    continue;
                }
            }
            Translation first = translate(rootPa, va);
            if (first == null) {
                if (!pdePresent(rootPa, va)) {
                    va = pmdEnd;
                } else {
                    va += PagingMode.PAGE_SIZE;
                }
                continue;
            }
            if (first.pageSize() > PagingMode.PAGE_SIZE) {
                for (long p = va; p < pmdEnd; p += PagingMode.PAGE_SIZE) {
                    action.accept(first.page(p));
                }
                va = pmdEnd;
                continue;
            }
            action.accept(first);
            va += PagingMode.PAGE_SIZE;
        }
    }

    private boolean pdePresent(long rootPa, long va) {
        long pdePa;
        if (mode == PagingMode.PAE) {
            long pdpte = read(rootPa + (long) mode.pgdIndex(va) * 8);
            pdePa = (pdpte & mode.frameMask()) + (long) mode.pmdIndex(va) * 8;
        } else {
            pdePa = rootPa + (long) mode.pgdIndex(va) * 4;
        }
        return EntryBits.isPresent(read(pdePa));
    }

    private long read(long pa) {
        return entryValue.applyAsLong(memory.readEntry(pa));
    }
}
