package io.pvmm.guest.memory;

/**
 * The guest kernel oopses: it hit {@code BUG()} or an unhandled kernel paging request, because an
 * invariant the kernel itself checks is broken (a double free, a {@code BUG_ON} in
 * {@code change_page_attr}, a store to a read-only mapping nobody emulated). The guest stops, as the
 * real kernel would. Not to be confused with {@link io.pvmm.guest.bugs.GuestBug}, the bugs the model
 * commits on purpose: an oops is the kernel catching itself.
 */
public final class KernelOops extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the bug report.
     *
     * @param message what the kernel found, in its terms
     */
    public KernelOops(String message) {
        super("kernel BUG: " + message);
    }
}
