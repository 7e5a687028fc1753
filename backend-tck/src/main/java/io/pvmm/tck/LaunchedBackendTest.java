package io.pvmm.tck;

import io.pvmm.api.BackendProvider;
import java.util.List;
import java.util.Map;

/**
 * The kit for whichever backend {@link KitLauncher} is running it on: the provider, settings and
 * behaviours come from the launcher rather than from a subclass written for one backend.
 */
public final class LaunchedBackendTest extends ParavirtOpsCompatibilityKit {

    private static volatile BackendUnderTest current;

    static void use(BackendUnderTest backend) {
        current = backend;
    }

    private static BackendUnderTest current() {
        BackendUnderTest b = current;
        if (b == null) {
            throw new IllegalStateException("LaunchedBackendTest runs only through KitLauncher");
        }
        return b;
    }

    @Override
    protected BackendProvider provider() {
        return current().provider();
    }

    @Override
    protected Map<String, String> settings() {
        return current().settings();
    }

    @Override
    protected boolean hasBehavior(Behavior behavior) {
        return current().has(behavior);
    }

    @Override
    protected List<Refusal> refusals() {
        return current().refusals();
    }

    @Override
    protected List<AuditedBug> auditedBugs() {
        return current().auditedBugs();
    }

    /** The launcher's caller gets every skip with its reason in the results; nothing to print. */
    @Override
    protected void reportSkipped(String test, String reason) {
    }
}
