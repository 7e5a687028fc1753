package io.pvmm.backend.vmi;

import com.google.auto.service.AutoService;
import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendProvider;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.api.SettingSpec;
import io.pvmm.api.SpiVersion;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Registers the {@code vmi} backend: VMware's Virtual Machine Interface, where the hypervisor keeps a
 * shadow of every page table the guest announces. Both paging modes; PSE and PGE allowed; the PAE
 * kernel pmd shared, as in 2.6.21; the top 16 MiB of the address space ({@code 0xFF000000} up)
 * reserved for the VMI ROM — the model's choice for the ROM's {@code virtual_top}, which
 * {@code vmi.c} passes to {@code reserve_top_address}.
 *
 * <p>Settings: {@value #P2M_SEED} (long, default 7) seeds the pfn-to-mfn permutation;
 * {@value #ON_VIOLATION} ({@code throw}, the default, or {@code record}) says whether a broken rule
 * refuses the call or is recorded and reported by the audit.
 *
 * <p><b>Threading:</b> every method but {@link #create} is a constant answer; the constructor does no
 * work.
 */
@AutoService(BackendProvider.class)
public final class VmiProvider implements BackendProvider {

    /** The name used in configuration. */
    public static final String NAME = "vmi";
    /** The setting that seeds the pfn-to-mfn permutation. */
    public static final String P2M_SEED = "p2m-seed";
    /** The setting that chooses between refusing and recording a broken rule. */
    public static final String ON_VIOLATION = "on-violation";
    /** Where the ROM's reserved top of the address space starts (16 MiB). */
    public static final long ROM_VIRTUAL_TOP = 0xFF000000L;

    private static final List<SettingSpec> SETTINGS = List.of(
            SettingSpec.longValue(P2M_SEED, 7, "seed of the pfn-to-mfn permutation of 4 MiB blocks"),
            SettingSpec.choice(ON_VIOLATION, "throw", "refuse a call that breaks a rule (throw), or record it for the audit (record)",
                    "throw", "record"));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "VMware VMI: the hypervisor keeps a shadow of every announced page table, translated to machine frames";
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
        return PlatformRequirements.NONE.reservingFrom(ROM_VIRTUAL_TOP);
    }

    @Override
    public List<SettingSpec> settings() {
        return SETTINGS;
    }

    @Override
    public ParavirtOps create(BackendContext context) {
        BackendSettings s = context.settings();
        return new VmiOps(context, s.getLong(P2M_SEED), Violations.Policy.of(s.get(ON_VIOLATION)));
    }
}
