package io.pvmm.guest.kernel;

/**
 * What {@code exec} maps for a program, in the shape {@code load_elf_binary} gives it on i386: text
 * (file-backed, read and execute, private) at {@code 0x08048000}, data after it (file-backed, private,
 * writable), bss and the start of the heap (anonymous, writable), and the stack below
 * {@code TASK_SIZE} with the argument pages written by {@code setup_arg_pages}.
 *
 * @param fileId     the executable's file id (page cache key)
 * @param textPages  text pages
 * @param dataPages  data pages
 * @param bssPages   bss pages
 * @param stackPages stack pages touched with arguments and environment
 */
public record ExecImage(int fileId, int textPages, int dataPages, int bssPages, int stackPages) {

    /** A small program: 64 KiB of text, 16 KiB of data, 16 KiB of bss, 2 argument pages. */
    public static final ExecImage DEFAULT = new ExecImage(1, 16, 4, 4, 2);

    /** Where text starts. */
    public static final long TEXT_START = 0x0804_8000L;
    /** The stack vma's size. */
    public static final long STACK_SIZE = 128L << 10;

    /**
     * Checks the sizes.
     *
     * @param fileId     the file
     * @param textPages  text pages
     * @param dataPages  data pages
     * @param bssPages   bss pages
     * @param stackPages argument pages
     */
    public ExecImage {
        if (fileId <= 0 || textPages < 1 || dataPages < 0 || bssPages < 0 || stackPages < 1
                || (long) stackPages * 4096 > STACK_SIZE || (long) (textPages + dataPages + bssPages) * 4096 > (512L << 20)) {
            throw new IllegalArgumentException("exec image out of range: " + textPages + " text, " + dataPages
                    + " data, " + bssPages + " bss, " + stackPages + " stack pages");
        }
    }
}
