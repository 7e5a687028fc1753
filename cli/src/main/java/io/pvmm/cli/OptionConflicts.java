package io.pvmm.cli;

import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.ConfigValue;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.util.HashMap;
import java.util.Map;

/**
 * The command line's one rule for a key given twice: the same value twice is accepted, two different
 * values are {@link PvmmError#CONFLICTING_OPTIONS}, whichever options gave them and in whatever order
 * ({@code --backend xen --set backend=vmi}, {@code --vcpus 2 --set guest.vcpus=3}).
 */
final class OptionConflicts {

    private OptionConflicts() {
    }

    /**
     * Checks the values the user typed, before a command adds values of its own.
     *
     * @param inputs the configuration sources with the command line's values
     * @return the same inputs
     * @throws PvmmException {@link PvmmError#CONFLICTING_OPTIONS} for the first key given two values
     */
    static ConfigInputs check(ConfigInputs inputs) {
        Map<String, ConfigValue> first = new HashMap<>();
        for (ConfigValue v : inputs.options()) {
            ConfigValue f = first.putIfAbsent(v.key(), v);
            if (f != null && !f.value().trim().equals(v.value().trim())) {
                throw new PvmmException(PvmmError.CONFLICTING_OPTIONS, null, Map.of("key", v.key(), "first", f.value(),
                        "firstSource", f.source().description(), "second", v.value(), "secondSource", v.source().description()));
            }
        }
        return inputs;
    }
}
