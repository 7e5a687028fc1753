package io.pvmm.tck;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The base of the kit's groups of rules: each group is a class of JUnit tests that a nested class of
 * {@link ParavirtOpsCompatibilityKit} extends, so every backend's test class inherits every group.
 */
abstract class KitRules {

    /**
     * The guest every kit run boots unless a rule says otherwise: the defaults with 64 MiB, which every
     * scenario fits in, so a backend whose audit is linear in guest memory still runs the kit quickly.
     */
    static final GuestConfig GUEST = GuestConfig.DEFAULTS.withMemoryMib(64);

    private final Supplier<BackendUnderTest> backend;

    KitRules(Supplier<BackendUnderTest> backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    /** @return the backend under test, set up before each test */
    BackendUnderTest backend() {
        return backend.get();
    }

    /**
     * The declared modes that pass a filter, or a skipped test when none does.
     *
     * @param filter   which modes the rule applies to
     * @param whyNoneApplies the reason to report when no declared mode passes
     * @return the modes, never empty
     */
    List<PagingMode> modesWhere(Predicate<PagingMode> filter, String whyNoneApplies) {
        List<PagingMode> modes = backend().modes().stream().filter(filter).toList();
        assumeTrue(!modes.isEmpty(), () -> backend().name() + " " + whyNoneApplies);
        return modes;
    }

    /** @return every declared mode */
    List<PagingMode> modes() {
        return backend().modes();
    }
}
