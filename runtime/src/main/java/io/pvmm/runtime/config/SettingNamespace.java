package io.pvmm.runtime.config;

import io.pvmm.api.SettingSpec;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A group of settings under one prefix: a backend's ({@code <backend>.<key>}), or one a caller
 * registers with {@code PvmmRuntime.withNamespace}, such as the guest model's {@code guest.*} and
 * {@code workload.*}.
 *
 * <pre>{@code
 * runtime = runtime.withNamespace(new SettingNamespace("guest", List.of(
 *         SettingSpec.longValue("memory-mib", 64, "guest physical memory"))));
 * }</pre>
 *
 * @param name  the prefix without its dot: lower-case letters, digits and dashes
 * @param specs the settings, keys given without the prefix
 */
public record SettingNamespace(String name, List<SettingSpec> specs) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

    /**
     * Checks the name and copies the specs.
     *
     * @param name  the prefix
     * @param specs the settings
     * @throws IllegalArgumentException if the name is malformed or a key is declared twice
     */
    public SettingNamespace {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("namespace '" + name + "' must be lower-case letters, digits and dashes");
        }
        specs = List.copyOf(specs);
        if (specs.stream().map(SettingSpec::key).distinct().count() != specs.size()) {
            throw new IllegalArgumentException("namespace '" + name + "' declares a key twice");
        }
    }

    /**
     * The full key of one of the namespace's settings.
     *
     * @param spec one of {@link #specs()}
     * @return {@code <name>.<key>}
     */
    public String keyOf(SettingSpec spec) {
        return name + "." + spec.key();
    }
}
