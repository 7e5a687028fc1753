package io.pvmm.api;

/**
 * The version of this SPI, and the rule that decides whether a provider built against another
 * version may run: the same major version, and a minor version no newer than the runtime's (methods
 * are only ever added, as defaults).
 *
 * <p>History: 1.0, the seed's five hooks, the page-table writes, the address-space events, TLB and
 * lazy MMU mode, counters and audit. 1.1 adds write protection: {@link WriteProtection} from
 * {@link BackendContext#writeProtection()} and {@link ParavirtOps#storeTrapped} with
 * {@link TrappedStore}; and the hardware page walk: {@link ParavirtOps#observesPageWalks},
 * {@link ParavirtOps#pageWalk} with {@link PageWalk}, {@link ParavirtOps#accessedDirtySet}; the page
 * fault as the hardware raises it, {@link ParavirtOps#pageFaultRaised}; typed cost events,
 * {@link ParavirtOps#costEvents} with {@link CostEvent}; and the guest kernel a backend needs,
 * {@link PlatformRequirements#minimumKernel()} with {@link KernelVersion}.
 */
public final class SpiVersion {

    /**
     * The SPI version of this jar. A compile-time constant: a provider that returns it from
     * {@link BackendProvider#spiVersion()} records the version it was compiled against.
     */
    public static final String CURRENT = "1.1";

    private SpiVersion() {
    }

    /**
     * Whether a provider built against {@code providerVersion} can run on this SPI.
     *
     * @param providerVersion what the provider's {@link BackendProvider#spiVersion()} returned
     * @return whether it is compatible with {@link #CURRENT}
     */
    public static boolean isCompatible(String providerVersion) {
        return isCompatible(providerVersion, CURRENT);
    }

    /**
     * Whether a provider built against {@code providerVersion} can run on SPI {@code runtimeVersion}.
     *
     * @param providerVersion the provider's version
     * @param runtimeVersion  the runtime's version
     * @return true when the majors are equal and the provider's minor is not newer
     */
    public static boolean isCompatible(String providerVersion, String runtimeVersion) {
        int[] p = parse(providerVersion);
        int[] r = parse(runtimeVersion);
        return p != null && r != null && p[0] == r[0] && p[1] <= r[1];
    }

    private static int[] parse(String version) {
        if (version == null) {
            return null;
        }
        String[] parts = version.trim().split("\\.");
        if (parts.length != 2) {
            return null;
        }
        try {
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
