package org.example.pvmm.checking;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.SpiVersion;
import java.net.URL;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Registers the {@code checking} backend: what native hardware does, plus the page allocation hooks'
 * ordering rules checked from the calls alone. Both paging modes, no platform requirement.
 *
 * <p>Registered in {@code META-INF/services/io.pvmm.api.BackendProvider} for the class path and with
 * {@code provides} in {@code module-info.java} for the module path.
 */
public final class CheckingProvider implements BackendProvider {

    /** The name used in configuration: {@code --backend checking}. */
    public static final String NAME = "checking";

    /** Creates the provider; does no work, as the runtime instantiates every provider it finds. */
    public CheckingProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "native stores, plus the ordering rules of the page allocation hooks checked on every call";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public Set<PagingMode> pagingModes() {
        return EnumSet.allOf(PagingMode.class);
    }

    /**
     * The costs of this backend's events on a named profile's hardware, for pvmm's cost model: a file
     * beside this class per profile ({@code xeon-2003.profile}, {@code p4-2006.profile}), one event a
     * line with its cycles and where the figure comes from. This backend adds nothing to bare hardware,
     * so every line says 0 and why; a profile it has no file for leaves it with "no cost model".
     */
    @Override
    public Optional<URL> costProfile(String profile) {
        return Optional.ofNullable(getClass().getResource(profile + ".profile"));
    }

    @Override
    public ParavirtOps create(BackendContext context) {
        return new CheckingOps(context);
    }
}
