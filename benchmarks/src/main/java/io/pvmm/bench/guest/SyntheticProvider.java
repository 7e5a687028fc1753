package io.pvmm.bench.guest;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.SettingSpec;
import io.pvmm.api.SpiVersion;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A provider that is discovered but never chosen, with a number of settings: what the runtime holds
 * when many backends are installed. Creating one's backend is an error.
 */
public final class SyntheticProvider implements BackendProvider {

    private final String name;
    private final List<SettingSpec> settings;

    /**
     * Creates a provider.
     *
     * @param name     its configured name
     * @param settings how many settings it declares ({@code key0}, {@code key1}, ...)
     */
    public SyntheticProvider(String name, int settings) {
        this.name = name;
        List<SettingSpec> specs = new ArrayList<>();
        for (int i = 0; i < settings; i++) {
            specs.add(SettingSpec.longValue("key" + i, i, "a setting nobody reads"));
        }
        this.settings = List.copyOf(specs);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "a provider that is discovered and never chosen";
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
        return settings;
    }

    @Override
    public ParavirtOps create(BackendContext context) {
        throw new UnsupportedOperationException(name + " is never chosen");
    }
}
