package org.example.pvmm.checking;

import io.pvmm.api.BackendProvider;
import io.pvmm.tck.Behavior;
import io.pvmm.tck.ParavirtOpsCompatibilityKit;

/**
 * The checking backend passes the pvmm compatibility kit. It declares the refusals it makes beyond what
 * every backend owes, so the kit drives them and checks their violations.
 */
class CheckingBackendTest extends ParavirtOpsCompatibilityKit {

    @Override
    protected BackendProvider provider() {
        return new CheckingProvider();
    }

    @Override
    protected boolean hasBehavior(Behavior behavior) {
        return switch (behavior) {
            case REJECTS_DOUBLE_ANNOUNCE, REJECTS_RELEASE_OF_UNANNOUNCED_FRAME -> true;
            default -> super.hasBehavior(behavior);
        };
    }
}
