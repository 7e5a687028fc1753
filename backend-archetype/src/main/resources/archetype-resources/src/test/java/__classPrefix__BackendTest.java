package ${package};

import io.pvmm.api.BackendProvider;
import io.pvmm.tck.Behavior;
import io.pvmm.tck.ParavirtOpsCompatibilityKit;

/**
 * The {@code ${backend}} backend passes the pvmm compatibility kit: the real guest kernel model, run on
 * this backend in every paging mode it declares. It declares the refusals it makes beyond what every
 * backend owes, so the kit drives them and checks their violations.
 */
class ${classPrefix}BackendTest extends ParavirtOpsCompatibilityKit {

    @Override
    protected BackendProvider provider() {
        return new ${classPrefix}Provider();
    }

    @Override
    protected boolean hasBehavior(Behavior behavior) {
        return switch (behavior) {
            case REJECTS_DOUBLE_ANNOUNCE, REJECTS_RELEASE_OF_UNANNOUNCED_FRAME -> true;
            default -> super.hasBehavior(behavior);
        };
    }
}
