package io.pvmm.backend.nested;

import com.google.auto.service.AutoService;
import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.api.SettingSpec;
import io.pvmm.api.SpiVersion;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Registers the {@code nested} backend: hardware-assisted nested paging (Intel EPT, Nehalem 2008;
 * AMD NPT, Barcelona 2007), where the guest runs unmodified on its own page tables and the host maps
 * guest-physical to host-physical memory with a 4-level table of its own. Both paging modes; PSE and
 * PGE allowed; nothing of the guest's address space reserved (the hypervisor lives outside it).
 *
 * <p>Settings: {@value #LARGE_HOST_PAGES} (boolean, default false) maps guest RAM with 2 MiB host
 * pages, so the nested walk has 3 levels instead of 4 and an EPT violation maps 512 frames.
 *
 * <p>With EPT the processor also has VPIDs (both came with Nehalem), so a VM exit does not flush the
 * guest's TLB; the model's TLB is left alone by the exits.
 *
 * <p><b>Threading:</b> every method but {@link #create} is a constant answer; the constructor does no
 * work.
 */
@AutoService(BackendProvider.class)
public final class NestedProvider implements BackendProvider {

    /** The name used in configuration. */
    public static final String NAME = "nested";
    /** The setting that maps guest RAM with 2 MiB host pages. */
    public static final String LARGE_HOST_PAGES = "large-host-pages";

    private static final List<SettingSpec> SETTINGS = List.of(
            SettingSpec.bool(LARGE_HOST_PAGES, false, "map guest RAM with 2 MiB host pages (a 3-level nested walk)"));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "hardware nested paging (EPT/NPT): the guest's tables are the hardware's, a host table maps its frames";
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
        return PlatformRequirements.NONE;
    }

    @Override
    public List<SettingSpec> settings() {
        return SETTINGS;
    }

    @Override
    public ParavirtOps create(BackendContext context) {
        return new NestedOps(context, context.settings().getBoolean(LARGE_HOST_PAGES));
    }
}
