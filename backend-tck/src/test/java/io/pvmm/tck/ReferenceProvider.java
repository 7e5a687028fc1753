package io.pvmm.tck;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.api.SpiVersion;
import java.util.EnumSet;
import java.util.Set;

/** The kit's reference backend as a provider, so the kit can run on it (and on variants of it) in its own tests. */
public class ReferenceProvider implements BackendProvider {

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public String description() {
        return "bare hardware, the kit's oracle";
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
    public ParavirtOps create(BackendContext context) {
        return ReferenceBackend.factory(PlatformRequirements.NONE).create(context);
    }
}
