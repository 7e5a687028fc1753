package ${package};

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.SpiVersion;
import java.util.EnumSet;
import java.util.Set;

/**
 * Registers the {@code ${backend}} backend: both paging modes, no platform requirement.
 *
 * <p>Registered in {@code META-INF/services/io.pvmm.api.BackendProvider} for the class path and with
 * {@code provides} in {@code module-info.java} for the module path.
 */
public final class ${classPrefix}Provider implements BackendProvider {

    /** The name used in configuration: {@code --backend ${backend}}. */
    public static final String NAME = "${backend}";

    /** Creates the provider; does no work, as the runtime instantiates every provider it finds. */
    public ${classPrefix}Provider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "native stores, and each page table announced once until it is released";
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
        return new ${classPrefix}Ops(context);
    }
}
