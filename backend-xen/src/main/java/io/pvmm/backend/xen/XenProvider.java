package io.pvmm.backend.xen;

import com.google.auto.service.AutoService;
import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendProvider;
import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.api.SettingSpec;
import io.pvmm.api.SpiVersion;
import io.pvmm.backend.xen.guest.XenOps;
import io.pvmm.backend.xen.mm.XenLayout;
import java.net.URL;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Registers the {@code xen} backend: Xen 3.1's paravirtual MMU and the guest port that drives it, in
 * both paging modes.
 *
 * <p>What Xen requires of a PV guest: no PSE and no PGE (Xen masks both from the guest's CPUID and
 * refuses PSE and GLOBAL in its entries), the top of the address space from
 * {@code HYPERVISOR_VIRT_START} (0xFC000000 for a 2-level hypervisor, 0xF5800000 for PAE), and in PAE
 * mode a kernel pmd of each root's own.
 *
 * <p>Settings ({@code pvmm.xen.<key>}):
 * <ul>
 *   <li>{@value #P2M_SEED}: seed of the pfn-to-mfn permutation (default {@value #DEFAULT_P2M_SEED});</li>
 *   <li>{@value #LAZY_BATCHING}: whether lazy MMU mode batches hypercalls into multicalls (default
 *       true); false issues every request at once, to show what batching saves.</li>
 * </ul>
 *
 * <p><b>Threading:</b> stateless; {@link #create} builds a new backend per guest.
 */
@SuppressWarnings("exports") // @AutoService (class retention) is for the build only; clients never need it
@AutoService(BackendProvider.class)
public final class XenProvider implements BackendProvider {

    /** The name used in configuration. */
    public static final String NAME = "xen";
    /** Setting: seed of the pfn-to-mfn permutation. */
    public static final String P2M_SEED = "p2m-seed";
    /** Setting: whether lazy MMU mode batches hypercalls. */
    public static final String LAZY_BATCHING = "lazy-batching";
    /** Default of {@value #P2M_SEED}. */
    public static final long DEFAULT_P2M_SEED = 7;

    /** Creates the provider; does no work, as {@link BackendProvider} asks. */
    public XenProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Xen paravirtual MMU: typed frames, read-only page tables, pin/unpin, validated updates, multicalls";
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
    public PlatformRequirements platform(PagingMode mode) {
        PlatformRequirements p = PlatformRequirements.NONE.withoutPse().withoutPge()
                .reservingFrom(XenLayout.hypervisorVirtStart(mode))
                .requiringKernel(KernelVersion.V2_6_23); // the first pv-ops Xen guest, arch/i386/xen
        return mode == PagingMode.PAE ? p.withUnsharedKernelPmd() : p;
    }

    @Override
    public List<SettingSpec> settings() {
        return List.of(
                SettingSpec.longValue(P2M_SEED, DEFAULT_P2M_SEED, "seed of the pfn-to-mfn permutation (guest entries hold machine frames)"),
                SettingSpec.bool(LAZY_BATCHING, true, "batch hypercalls into multicalls in lazy MMU mode (false: issue each at once)"));
    }

    /** The costs of Xen's events on the SOSP 2003 machine ({@code xeon-2003}); none for {@code p4-2006}, where Xen was not measured. The files sit beside this class, one per profile. */
    @Override
    public Optional<URL> costProfile(String profile) {
        return Optional.ofNullable(getClass().getResource(profile + ".profile"));
    }

    @Override
    public ParavirtOps create(BackendContext context) {
        return new XenOps(context, context.settings().getLong(P2M_SEED), context.settings().getBoolean(LAZY_BATCHING));
    }
}
