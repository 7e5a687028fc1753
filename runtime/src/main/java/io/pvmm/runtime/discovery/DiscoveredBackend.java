package io.pvmm.runtime.discovery;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.api.SettingSpec;
import io.pvmm.api.SpiVersion;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A provider the runtime found, with what it said about itself read once, when it was found: a
 * listing never calls into a provider again, and a provider that answers badly is reported as a
 * load failure instead of breaking later.
 *
 * @param provider      the provider instance; only the chosen one's {@code create} is ever called
 * @param name          its configuration name
 * @param description   its one-line description
 * @param spiVersion    the SPI version it was built against
 * @param pagingModes   the paging modes it supports
 * @param platform      what it requires of the guest in each supported mode
 * @param settings      the settings it accepts
 * @param providerClass the provider's class name
 * @param location      where it was loaded from: a jar or directory path, or {@code module <name>}
 */
public record DiscoveredBackend(BackendProvider provider, String name, String description, String spiVersion,
                                Set<PagingMode> pagingModes, Map<PagingMode, PlatformRequirements> platform,
                                List<SettingSpec> settings, String providerClass, String location) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

    /**
     * Makes the record's collections unmodifiable.
     *
     * @param provider      the provider
     * @param name          its name
     * @param description   its description
     * @param spiVersion    its SPI version
     * @param pagingModes   its paging modes
     * @param platform      its requirements per mode
     * @param settings      its settings
     * @param providerClass its class name
     * @param location      where it came from
     */
    public DiscoveredBackend {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(name, "name");
        pagingModes = Collections.unmodifiableSet(pagingModes.isEmpty() ? EnumSet.noneOf(PagingMode.class) : EnumSet.copyOf(pagingModes));
        platform = Collections.unmodifiableMap(platform.isEmpty() ? new EnumMap<>(PagingMode.class) : new EnumMap<>(platform));
        settings = List.copyOf(settings);
    }

    /**
     * Reads what a provider says about itself.
     *
     * @param provider a provider instance
     * @param location where it was loaded from
     * @return the record
     * @throws IllegalStateException if the provider's answers break the SPI's contract (a name that
     *                               is not lower-case letters, digits and dashes; a {@code null}
     *                               answer; two settings with one key)
     * @throws RuntimeException      whatever one of the provider's methods threw
     */
    public static DiscoveredBackend describe(BackendProvider provider, String location) {
        String name = provider.name();
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalStateException("name() returned " + (name == null ? "null" : "'" + name + "'")
                    + "; a backend name is lower-case letters, digits and dashes, starting with a letter");
        }
        String description = require(provider.description(), "description()");
        String spiVersion = require(provider.spiVersion(), "spiVersion()");
        Set<PagingMode> modes = require(provider.pagingModes(), "pagingModes()");
        Map<PagingMode, PlatformRequirements> platform = new EnumMap<>(PagingMode.class);
        for (PagingMode mode : modes) {
            platform.put(mode, require(provider.platform(mode), "platform(" + mode.configName() + ")"));
        }
        List<SettingSpec> settings = require(provider.settings(), "settings()");
        if (settings.stream().map(SettingSpec::key).distinct().count() != settings.size()) {
            throw new IllegalStateException("settings() declares a key twice");
        }
        return new DiscoveredBackend(provider, name, description, spiVersion, modes, platform, settings,
                provider.getClass().getName(), location);
    }

    /**
     * Whether this runtime can run the provider, by {@link SpiVersion#isCompatible(String)}.
     *
     * @return whether its SPI version is compatible with {@link SpiVersion#CURRENT}
     */
    public boolean spiCompatible() {
        return SpiVersion.isCompatible(spiVersion);
    }

    /**
     * Whether the backend supports a paging mode.
     *
     * @param mode a paging mode
     * @return whether it is one of {@link #pagingModes()}
     */
    public boolean supports(PagingMode mode) {
        return pagingModes.contains(mode);
    }

    /**
     * The name and location, as messages list a backend.
     *
     * @return e.g. {@code native (/opt/pvmm/lib/pvmm-backend-native-1.0.0.jar)}
     */
    public String nameAndLocation() {
        return name + " (" + location + ")";
    }

    private static <T> T require(T value, String method) {
        if (value == null) {
            throw new IllegalStateException(method + " returned null");
        }
        return value;
    }
}
