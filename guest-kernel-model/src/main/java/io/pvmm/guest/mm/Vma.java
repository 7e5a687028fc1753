package io.pvmm.guest.mm;

import io.pvmm.api.EntryBits;

/**
 * {@code struct vm_area_struct}: a range of an address space with one protection and one backing.
 * Immutable except for {@link #anonVma}, which records that anonymous pages were installed (fork then
 * copies its ptes; a vma without anonymous pages, file-backed or anonymous, is left for faults to
 * fill, as {@code copy_page_range} does). {@code anon_vma_prepare} runs where 2.6.21 runs it: a write
 * fault on empty anonymous memory ({@code do_anonymous_page}, which is also how exec's argument and
 * stack pages are installed, as {@code install_arg_page} does), a private write fault on a file page
 * ({@code do_no_page}) and a copy-on-write break ({@code do_wp_page}); never on a read fault of the
 * zero page, nor on {@code brk}, which only creates the vma.
 *
 * @param start  first address, page-aligned
 * @param end    end address, exclusive, page-aligned
 * @param flags  {@link #READ}, {@link #WRITE}, {@link #EXEC}, {@link #SHARED}, {@link #STACK}
 * @param fileId the backing file, or 0 for anonymous memory
 * @param pgoff  the file page mapped at {@code start}
 */
public record Vma(long start, long end, int flags, int fileId, long pgoff, AnonVma anonVma) {

    /** {@code VM_READ}. */
    public static final int READ = 1;
    /** {@code VM_WRITE}. */
    public static final int WRITE = 2;
    /** {@code VM_EXEC}. */
    public static final int EXEC = 4;
    /** {@code VM_SHARED}. */
    public static final int SHARED = 8;
    /** {@code VM_GROWSDOWN}: the stack. */
    public static final int STACK = 16;

    /** Whether anonymous pages have been installed: {@code vma->anon_vma != NULL}. */
    public static final class AnonVma {
        private volatile boolean present;

        /** @return whether the vma has anonymous pages */
        public boolean present() {
            return present;
        }

        /** {@code anon_vma_prepare}. */
        public void prepare() {
            present = true;
        }
    }

    /**
     * Creates a vma with a fresh anon_vma marker.
     *
     * @param start  first address
     * @param end    end address
     * @param flags  protection and sharing
     * @param fileId backing file or 0
     * @param pgoff  file page at start
     * @return the vma
     */
    public static Vma of(long start, long end, int flags, int fileId, long pgoff) {
        if (start >= end || (start & 0xFFF) != 0 || (end & 0xFFF) != 0) {
            throw new IllegalArgumentException(String.format("bad vma [0x%x, 0x%x)", start, end));
        }
        return new Vma(start, end, flags, fileId, pgoff, new AnonVma());
    }

    /** @return whether the vma is anonymous */
    public boolean anonymous() {
        return fileId == 0;
    }

    /**
     * {@code is_cow_mapping(flags)}: {@code (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE}. The
     * test is on {@code VM_MAYWRITE}, not {@code VM_WRITE}: 2.6.21's {@code do_mmap_pgoff} gives every
     * mapping {@code VM_MAYWRITE} and takes it away only from a shared mapping of a file not open for
     * writing; {@code do_brk} and the exec stack have it too. So every private vma is copy-on-write,
     * including one that is read-only or {@code PROT_NONE} now (mprotect can make it writable again).
     *
     * @return whether the vma is private
     */
    public boolean cow() {
        return (flags & SHARED) == 0;
    }

    /**
     * {@code vm_page_prot} from i386's {@code protection_map}: no access at all maps
     * {@code PAGE_NONE} ({@code _PAGE_PROTNONE | _PAGE_ACCESSED}: not present to the hardware, yet the
     * pte keeps its frame); shared writable maps {@code PAGE_SHARED} (RW); private or read-only maps
     * {@code PAGE_COPY}/{@code PAGE_READONLY} (no RW, so the first write faults); {@code _NOEXEC}
     * variants carry NX.
     *
     * @return the pte protection bits for a new mapping
     */
    public long pageProt() {
        if ((flags & (READ | WRITE | EXEC)) == 0) {
            return EntryBits.PAGE_NONE; // __P000, __S000
        }
        long prot = EntryBits.PRESENT | EntryBits.USER | EntryBits.ACCESSED;
        if ((flags & SHARED) != 0 && (flags & WRITE) != 0) {
            prot |= EntryBits.RW;
        }
        if ((flags & EXEC) == 0) {
            prot |= EntryBits.NX;
        }
        return prot;
    }

    /**
     * A part of this vma, sharing its anon_vma ({@code split_vma}).
     *
     * @param from new start
     * @param to   new end
     * @return the part
     */
    public Vma slice(long from, long to) {
        return new Vma(from, to, flags, fileId, pgoff + ((from - start) >>> 12), anonVma);
    }

    /**
     * The same range with other protection ({@code mprotect_fixup}).
     *
     * @param newFlags new flags
     * @return the vma
     */
    public Vma withFlags(int newFlags) {
        return new Vma(start, end, newFlags, fileId, pgoff, anonVma);
    }

    /**
     * A copy for a child ({@code dup_mmap}): same range and backing, its own anon_vma marker that
     * starts as the parent's.
     *
     * @return the child's vma
     */
    public Vma forChild() {
        AnonVma a = new AnonVma();
        if (anonVma.present()) {
            a.prepare();
        }
        return new Vma(start, end, flags, fileId, pgoff, a);
    }

    /** @return the file page that backs {@code address} */
    public long fileIndex(long address) {
        return pgoff + ((address - start) >>> 12);
    }
}
