package io.pvmm.guest.memory;

/**
 * The guest kernel hit {@code BUG()}: an invariant the kernel itself checks is broken (a double free,
 * a {@code BUG_ON} in {@code change_page_attr}, a store to a read-only mapping nobody emulated). The
 * guest stops, as the real kernel would.
 */
public final class KernelBug extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the bug report.
     *
     * @param message what the kernel found, in its terms
     */
    public KernelBug(String message) {
        super("kernel BUG: " + message);
    }
}
