package io.pvmm.backend.shadow;

import com.google.auto.service.AutoService;
import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendProvider;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.SettingSpec;
import io.pvmm.api.SpiVersion;
import java.net.URL;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Registers the {@code shadow} backend: full virtualization without hooks — the monitor finds the
 * guest's page tables by walking them from CR3, write-protects them and traps every store into them,
 * as VMware Workstation's binary-translation monitor and KVM and Xen HVM shadow paging did before
 * EPT and NPT. Both paging modes; no platform requirement (the guest is unmodified: PSE, PGE and the
 * whole address space are its own). Needs SPI 1.1's write protection.
 *
 * <p>What a hookless monitor cannot see: the lifecycle hooks (it never learns that a frame became or
 * stopped being a page table except by the links it walks and the stores it traps), so it refuses no
 * announce or release and catches none of the guest bugs that only break a hook's contract; it needs
 * none of them to stay right.
 *
 * <p>Settings: {@value #P2M_SEED} (long, default 7) seeds the pfn-to-mfn permutation;
 * {@value #CACHE_ROOTS} (long, default {@value #DEFAULT_CACHE_ROOTS}) bounds the roots whose shadows are
 * kept; {@value #OUT_OF_SYNC} (boolean, default false) lets pte pages go out of sync until the next
 * TLB flush.
 *
 * <p><b>Threading:</b> every method but {@link #create} is a constant answer; the constructor does no
 * work.
 */
@AutoService(BackendProvider.class)
public final class ShadowProvider implements BackendProvider {

    /** The name used in configuration. */
    public static final String NAME = "shadow";
    /** The setting that seeds the pfn-to-mfn permutation. */
    public static final String P2M_SEED = "p2m-seed";
    /** The setting that bounds the shadow cache. */
    public static final String CACHE_ROOTS = "cache-roots";
    /** The setting that lets pte pages go out of sync. */
    public static final String OUT_OF_SYNC = "out-of-sync";
    /** Roots kept by default: the model's choice, enough for a fork-exit storm's live processes and init. */
    public static final int DEFAULT_CACHE_ROOTS = 16;

    private static final List<SettingSpec> SETTINGS = List.of(
            SettingSpec.longValue(P2M_SEED, 7, "seed of the pfn-to-mfn permutation of 4 MiB blocks"),
            SettingSpec.longValue(CACHE_ROOTS, DEFAULT_CACHE_ROOTS,
                    "how many roots' shadows are kept; the least recently loaded is evicted first"),
            SettingSpec.bool(OUT_OF_SYNC, false, "let pte pages go out of sync until the next TLB flush (Xen's OOS shadows)"));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "full virtualization without hooks: page tables found from CR3, write-protected, every store trapped";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public Set<PagingMode> pagingModes() {
        return EnumSet.allOf(PagingMode.class);
    }

    @Override
    public List<SettingSpec> settings() {
        return SETTINGS;
    }

    /** The costs of the monitor's events: as VMware's software VMM on {@code xeon-2003}, as the VT-x monitor on {@code p4-2006}. The files sit beside this class, one per profile. */
    @Override
    public Optional<URL> costProfile(String profile) {
        return Optional.ofNullable(getClass().getResource(profile + ".profile"));
    }

    @Override
    public ParavirtOps create(BackendContext context) {
        BackendSettings s = context.settings();
        long roots = s.getLong(CACHE_ROOTS);
        if (roots < 1 || roots > 1 << 16) {
            throw new IllegalArgumentException("pvmm.shadow.cache-roots must be from 1 to 65536: " + roots);
        }
        return new ShadowOps(context, s.getLong(P2M_SEED), (int) roots, s.getBoolean(OUT_OF_SYNC));
    }
}
