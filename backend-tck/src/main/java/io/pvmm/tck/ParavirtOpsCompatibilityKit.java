package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.BackendSettings;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The backend compatibility kit: what every pvmm backend owes, checked by driving the real guest
 * kernel model on it. A backend proves itself with one class:
 *
 * <pre>{@code
 * class MyBackendTest extends ParavirtOpsCompatibilityKit {
 *     @Override
 *     protected BackendProvider provider() {
 *         return new MyProvider();
 *     }
 * }
 * }</pre>
 *
 * <p>Optionally it overrides {@link #settings()} (the backend's settings for every run) and
 * {@link #hasBehavior(Behavior)} (what it refuses beyond what every backend must accept). Tests that do
 * not apply — a paging mode the provider does not declare, large pages it forbids, a behaviour it does
 * not declare — are reported skipped with the reason.
 *
 * <p>The groups, each a nested class: the provider's contract; boot and platform; processes; page
 * faults, munmap and mprotect; {@code change_page_attr}; lazy MMU mode; several vCPUs; hooks, audit and
 * counters; entries; violations. Each test is named after the rule it checks.
 */
public abstract class ParavirtOpsCompatibilityKit {

    private BackendUnderTest backend;

    /**
     * The provider of the backend under test, as the runtime would find it. Called before each test.
     *
     * @return a new provider instance
     */
    protected abstract BackendProvider provider();

    /**
     * The settings every run of the backend uses, keys without the {@code pvmm.<name>.} prefix.
     *
     * @return the settings; none by default, so the provider's defaults apply
     */
    protected Map<String, String> settings() {
        return Map.of();
    }

    /**
     * Whether the backend has a behaviour beyond what every backend owes.
     *
     * @param behavior a behaviour
     * @return whether the backend has it; {@link Behavior#byDefault()} unless overridden
     */
    protected boolean hasBehavior(Behavior behavior) {
        return behavior.byDefault();
    }

    @BeforeEach
    void describeTheBackendUnderTest() {
        BackendProvider provider = provider();
        assertThat(provider).as("%s.provider()", getClass().getSimpleName()).isNotNull();
        backend = new BackendUnderTest(provider, settings(), this::hasBehavior);
    }

    /** @return the backend under test of the current test */
    protected final BackendUnderTest backendUnderTest() {
        return backend;
    }

    @Test
    @DisplayName("the test class's name ends in Test, so build tools run it")
    void testClassNameEndsInTest() {
        assertThat(getClass().getSimpleName()).endsWith("Test");
    }

    @Test
    @DisplayName("provider() returns a provider")
    void providerIsNotNull() {
        assertThat(provider()).isNotNull();
    }

    @Test
    @DisplayName("the settings the test configures are accepted by the provider")
    void configuredSettingsAreAccepted() {
        assertThatCode(() -> BackendSettings.of(backend.provider().settings(), settings())).doesNotThrowAnyException();
    }

    /** The provider: construction, name, version, modes, platform, settings, creation. */
    @Nested
    @DisplayName("the provider")
    class TheProvider extends ProviderRules {
        TheProvider() {
            super(ParavirtOpsCompatibilityKit.this::backendUnderTest);
        }
    }

    /** Boot in each declared mode, the direct map, and the platform requirements. */
    @Nested
    @DisplayName("boot and platform")
    class BootAndPlatform extends BootRules {
        BootAndPlatform() {
            super(ParavirtOpsCompatibilityKit.this::backendUnderTest);
        }
    }

    /** exec, fork, copy-on-write and exit. */
    @Nested
    @DisplayName("processes")
    class Processes extends ProcessRules {
        Processes() {
            super(ParavirtOpsCompatibilityKit.this::backendUnderTest);
        }
    }

    /** Page faults, munmap and mprotect. */
    @Nested
    @DisplayName("page faults, munmap and mprotect")
    class AddressSpaces extends AddressSpaceRules {
        AddressSpaces() {
            super(ParavirtOpsCompatibilityKit.this::backendUnderTest);
        }
    }

    /** Splitting and reverting large pages of the direct map. */
    @Nested
    @DisplayName("change_page_attr")
    class PageAttributes extends PageAttrRules {
        PageAttributes() {
            super(ParavirtOpsCompatibilityKit.this::backendUnderTest);
        }
    }

    /** Writes batched in lazy MMU mode. */
    @Nested
    @DisplayName("lazy MMU mode")
    class LazyMmu extends LazyMmuRules {
        LazyMmu() {
            super(ParavirtOpsCompatibilityKit.this::backendUnderTest);
        }
    }

    /** Several vCPUs at once. */
    @Nested
    @DisplayName("several vCPUs")
    class SeveralVcpus extends SmpRules {
        SeveralVcpus() {
            super(ParavirtOpsCompatibilityKit.this::backendUnderTest);
        }
    }

    /** Hook balance, audits and counters. */
    @Nested
    @DisplayName("hooks, audit and counters")
    class Bookkeeping extends BookkeepingRules {
        Bookkeeping() {
            super(ParavirtOpsCompatibilityKit.this::backendUnderTest);
        }
    }

    /** makeEntry and entryValue. */
    @Nested
    @DisplayName("entries")
    class Entries extends EntryRules {
        Entries() {
            super(ParavirtOpsCompatibilityKit.this::backendUnderTest);
        }
    }

    /** What a backend refuses, and how. */
    @Nested
    @DisplayName("violations")
    class Violations extends ViolationRules {
        Violations() {
            super(ParavirtOpsCompatibilityKit.this::backendUnderTest);
        }
    }
}
