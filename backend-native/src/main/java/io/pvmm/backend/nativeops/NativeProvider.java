package io.pvmm.backend.nativeops;

import com.google.auto.service.AutoService;
import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.SpiVersion;
import java.net.URL;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** Registers the {@code native} backend: no hypervisor, no platform restriction, both paging modes. */
@AutoService(BackendProvider.class)
public final class NativeProvider implements BackendProvider {

    /** The name used in configuration. */
    public static final String NAME = "native";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "bare hardware: lifecycle hooks are no-ops, page-table writes store the value";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public Set<PagingMode> pagingModes() {
        return EnumSet.allOf(PagingMode.class);
    }

    /** Every event at 0, for both profiles: bare hardware adds nothing to the guest's own work. The files sit beside this class, one per profile. */
    @Override
    public Optional<URL> costProfile(String profile) {
        return Optional.ofNullable(getClass().getResource(profile + ".profile"));
    }

    @Override
    public ParavirtOps create(BackendContext context) {
        return new NativeOps(context.memory());
    }
}
