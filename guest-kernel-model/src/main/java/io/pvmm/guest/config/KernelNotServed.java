package io.pvmm.guest.config;

import io.pvmm.api.KernelVersion;
import java.util.Objects;

/**
 * The guest was asked to run a kernel older than the backend serves ({@code guest.kernel} below
 * {@link io.pvmm.api.PlatformRequirements#minimumKernel()}): Xen's pv-ops guest first appeared in
 * 2.6.23, so a 2.6.21 guest has no Xen port to run. The runtime reports it as PVMM-E065.
 */
public final class KernelNotServed extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient KernelVersion chosen;
    private final transient KernelVersion minimum;

    /**
     * @param chosen  the kernel asked for
     * @param minimum the oldest kernel the backend serves
     */
    public KernelNotServed(KernelVersion chosen, KernelVersion minimum) {
        super("guest.kernel " + chosen + " is older than the backend's minimum kernel " + minimum);
        this.chosen = Objects.requireNonNull(chosen, "chosen");
        this.minimum = Objects.requireNonNull(minimum, "minimum");
    }

    /** @return the kernel asked for */
    public KernelVersion chosen() {
        return chosen;
    }

    /** @return the oldest kernel the backend serves */
    public KernelVersion minimum() {
        return minimum;
    }
}
