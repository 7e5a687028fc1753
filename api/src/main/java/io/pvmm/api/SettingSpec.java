package io.pvmm.api;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One setting a backend accepts, configured as {@code pvmm.<backend>.<key>}: its key, type, default
 * and description. The runtime checks every configured value against it before the backend is
 * created, and lists it in {@code pvmm backends --explain}.
 *
 * <pre>{@code
 * SettingSpec.longValue("p2m-seed", 7, "seed of the pfn-to-mfn permutation")
 * SettingSpec.choice("on-violation", "throw", "what a broken rule does", "throw", "record")
 * }</pre>
 *
 * @param key          the key without the {@code pvmm.<backend>.} prefix: lower-case words joined by dashes
 * @param type         the value's type
 * @param defaultValue the value used when none is configured
 * @param description  one line for listings
 * @param choices      the accepted values of a {@link Type#CHOICE}; empty otherwise
 */
public record SettingSpec(String key, Type type, String defaultValue, String description, List<String> choices) {

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*(\\.[a-z][a-z0-9]*(-[a-z0-9]+)*)*");

    /** The type of a setting's value. */
    public enum Type {
        /** {@code true} or {@code false}. */
        BOOLEAN,
        /** A decimal or {@code 0x} hexadecimal integer that fits in 64 bits. */
        LONG,
        /** A finite decimal number (not NaN, not infinite). */
        DOUBLE,
        /** Any text. */
        STRING,
        /** One of {@link SettingSpec#choices()}. */
        CHOICE
    }

    /**
     * Checks the spec: a well-formed key, a default that fits the type.
     *
     * @param key          the key
     * @param type         the type
     * @param defaultValue the default
     * @param description  the description
     * @param choices      the choices of a {@link Type#CHOICE}
     */
    public SettingSpec {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(description, "description");
        choices = List.copyOf(choices);
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("setting key '" + key + "' must be lower-case words joined by dashes");
        }
        if (type == Type.CHOICE && choices.isEmpty()) {
            throw new IllegalArgumentException("choice setting '" + key + "' lists no choices");
        }
        check(type, choices, defaultValue).ifPresent(p -> {
            throw new IllegalArgumentException("default of '" + key + "': " + p);
        });
    }

    /**
     * A {@link Type#BOOLEAN} setting.
     *
     * @param key          the key
     * @param defaultValue the default
     * @param description  one line
     * @return the spec
     */
    public static SettingSpec bool(String key, boolean defaultValue, String description) {
        return new SettingSpec(key, Type.BOOLEAN, Boolean.toString(defaultValue), description, List.of());
    }

    /**
     * A {@link Type#LONG} setting.
     *
     * @param key          the key
     * @param defaultValue the default
     * @param description  one line
     * @return the spec
     */
    public static SettingSpec longValue(String key, long defaultValue, String description) {
        return new SettingSpec(key, Type.LONG, Long.toString(defaultValue), description, List.of());
    }

    /**
     * A {@link Type#DOUBLE} setting.
     *
     * @param key          the key
     * @param defaultValue the default
     * @param description  one line
     * @return the spec
     */
    public static SettingSpec doubleValue(String key, double defaultValue, String description) {
        return new SettingSpec(key, Type.DOUBLE, Double.toString(defaultValue), description, List.of());
    }

    /**
     * A {@link Type#STRING} setting.
     *
     * @param key          the key
     * @param defaultValue the default
     * @param description  one line
     * @return the spec
     */
    public static SettingSpec string(String key, String defaultValue, String description) {
        return new SettingSpec(key, Type.STRING, defaultValue, description, List.of());
    }

    /**
     * A {@link Type#CHOICE} setting.
     *
     * @param key          the key
     * @param defaultValue the default, one of the choices
     * @param description  one line
     * @param choices      the accepted values
     * @return the spec
     */
    public static SettingSpec choice(String key, String defaultValue, String description, String... choices) {
        return new SettingSpec(key, Type.CHOICE, defaultValue, description, List.of(choices));
    }

    /**
     * What is wrong with a value for this setting, if anything.
     *
     * @param value a configured value
     * @return a message naming the problem and what is accepted, or empty if the value fits
     */
    public Optional<String> problem(String value) {
        return check(type, choices, value);
    }

    private static Optional<String> check(Type type, List<String> choices, String value) {
        String v = value.trim();
        switch (type) {
            case BOOLEAN -> {
                String b = v.toLowerCase(Locale.ROOT);
                if (!b.equals("true") && !b.equals("false")) {
                    return Optional.of("'" + value + "' is not a boolean; accepted: true, false");
                }
            }
            case LONG -> {
                try {
                    parseLong(v);
                } catch (NumberFormatException e) {
                    return Optional.of("'" + value + "' is not an integer; accepted: decimal or 0x-prefixed hexadecimal");
                }
            }
            case DOUBLE -> {
                try {
                    if (!Double.isFinite(Double.parseDouble(v))) {
                        return Optional.of("'" + value + "' is not a finite number; accepted: a decimal number such as 0.25");
                    }
                } catch (NumberFormatException e) {
                    return Optional.of("'" + value + "' is not a number");
                }
            }
            case CHOICE -> {
                if (!choices.contains(v)) {
                    return Optional.of("'" + value + "' is not one of " + String.join(", ", choices));
                }
            }
            case STRING -> { }
            default -> throw new AssertionError(type);
        }
        return Optional.empty();
    }

    /**
     * Parses a {@link Type#LONG} value: decimal, or hexadecimal with a {@code 0x} prefix.
     *
     * @param value the text
     * @return the number
     * @throws NumberFormatException if the text is not such a number
     */
    public static long parseLong(String value) {
        String v = value.trim().replace("_", "");
        if (v.startsWith("0x") || v.startsWith("0X")) {
            return Long.parseUnsignedLong(v.substring(2), 16);
        }
        return Long.parseLong(v);
    }
}
