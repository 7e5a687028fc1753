package io.pvmm.it;

import io.pvmm.tck.Behavior;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The kit behaviours each built-in backend declares, for running the kit on every discovered backend
 * (a backend's own kit subclass declares them in {@code hasBehavior}; here they are data, one line per
 * backend). A backend with no line declares none; the kit fails a backend that refuses what its line
 * does not declare, naming the behaviour to add.
 */
final class KitBehaviors {

    /** {@code backend: BEHAVIOR BEHAVIOR ...}, one backend per line. */
    static final String TABLE = """
            vmi: REJECTS_DOUBLE_ANNOUNCE REJECTS_RELEASE_OF_UNANNOUNCED_FRAME
            xen: REJECTS_DOUBLE_ANNOUNCE REJECTS_RELEASE_OF_UNANNOUNCED_FRAME
            shadow: FINDS_PAGE_TABLES_WITHOUT_HOOKS
            """;

    private static final Map<String, Set<Behavior>> DECLARED = TABLE.lines().filter(l -> !l.isBlank())
            .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')).trim(), l -> {
                Set<Behavior> s = EnumSet.noneOf(Behavior.class);
                Arrays.stream(l.substring(l.indexOf(':') + 1).trim().split("\\s+")).filter(w -> !w.isEmpty())
                        .forEach(w -> s.add(Behavior.valueOf(w)));
                return s;
            }));

    private KitBehaviors() {
    }

    /**
     * The behaviours a backend declares.
     *
     * @param backend a backend's name
     * @return its behaviours; none when it has no line
     */
    static Set<Behavior> of(String backend) {
        return DECLARED.getOrDefault(backend, Set.of());
    }
}
