package io.pvmm.trace.strace;

import io.pvmm.guest.mm.Vma;
import java.util.Map;

/**
 * The flag sets of the calls the import reads, written as strace writes them ({@code PROT_READ|PROT_WRITE},
 * {@code MAP_PRIVATE|MAP_ANONYMOUS}, {@code CLONE_VM|CLONE_THREAD|SIGCHLD}) or as raw numbers
 * ({@code strace -X raw}): names it does not need are ignored.
 */
public final class Flags {

    /** {@code MAP_SHARED} (with {@code MAP_SHARED_VALIDATE}, 0x03, also shared). */
    public static final long MAP_SHARED = 0x01;
    /** {@code MAP_FIXED}. */
    public static final long MAP_FIXED = 0x10;
    /** {@code MAP_ANONYMOUS}. */
    public static final long MAP_ANONYMOUS = 0x20;
    /** {@code MAP_GROWSDOWN}. */
    public static final long MAP_GROWSDOWN = 0x100;
    /** {@code MAP_STACK}. */
    public static final long MAP_STACK = 0x20000;
    /** {@code MAP_FIXED_NOREPLACE}. */
    public static final long MAP_FIXED_NOREPLACE = 0x100000;
    /** {@code CLONE_VM}. */
    public static final long CLONE_VM = 0x100;
    /** {@code CLONE_VFORK}. */
    public static final long CLONE_VFORK = 0x4000;
    /** {@code CLONE_THREAD}. */
    public static final long CLONE_THREAD = 0x10000;

    private static final Map<String, Long> NAMES = Map.ofEntries(
            Map.entry("PROT_NONE", 0L), Map.entry("PROT_READ", 1L), Map.entry("PROT_WRITE", 2L), Map.entry("PROT_EXEC", 4L),
            Map.entry("MAP_SHARED", MAP_SHARED), Map.entry("MAP_PRIVATE", 0x02L), Map.entry("MAP_SHARED_VALIDATE", 0x03L),
            Map.entry("MAP_FIXED", MAP_FIXED), Map.entry("MAP_ANONYMOUS", MAP_ANONYMOUS), Map.entry("MAP_ANON", MAP_ANONYMOUS),
            Map.entry("MAP_GROWSDOWN", MAP_GROWSDOWN), Map.entry("MAP_STACK", MAP_STACK),
            Map.entry("MAP_FIXED_NOREPLACE", MAP_FIXED_NOREPLACE),
            Map.entry("CLONE_VM", CLONE_VM), Map.entry("CLONE_VFORK", CLONE_VFORK), Map.entry("CLONE_THREAD", CLONE_THREAD));

    private Flags() {
    }

    /**
     * Parses a flag expression: names and numbers joined by {@code |}.
     *
     * @param text the expression
     * @return the bits of the names it knows and of the numbers
     */
    public static long parse(String text) {
        long bits = 0;
        for (String token : text.strip().split("\\|")) {
            String t = token.strip();
            if (t.isEmpty()) {
                continue;
            }
            Long named = NAMES.get(t);
            if (named != null) {
                bits |= named;
            } else if (Character.isDigit(t.charAt(0))) {
                try {
                    bits |= Syscall.number(t);
                } catch (NumberFormatException e) {
                    // a token strace would not write: ignored like an unknown name
                }
            }
        }
        return bits;
    }

    /**
     * A protection as {@link Vma} flags.
     *
     * @param text {@code PROT_READ|PROT_EXEC}, or a number
     * @return {@link Vma#READ}, {@link Vma#WRITE} and {@link Vma#EXEC} bits
     */
    public static int prot(String text) {
        long p = parse(text);
        return ((p & 1) != 0 ? Vma.READ : 0) | ((p & 2) != 0 ? Vma.WRITE : 0) | ((p & 4) != 0 ? Vma.EXEC : 0);
    }

    /**
     * Whether a flag expression holds a bit.
     *
     * @param text the expression
     * @param bit  the bit
     * @return whether it is set
     */
    public static boolean has(String text, long bit) {
        return (parse(text) & bit) == bit;
    }
}
