package ${package};

import io.pvmm.api.BackendProvider;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.tck.Behavior;
import io.pvmm.tck.ParavirtOpsCompatibilityKit;
import io.pvmm.tck.Refusal;
import java.util.List;

/**
 * The {@code ${backend}} backend passes the pvmm compatibility kit: the real guest kernel model, run on
 * this backend in every paging mode it declares. It declares the refusals the kit knows that it makes
 * ({@link Behavior}), and each of its own rules with the guest action that breaks it, so the kit
 * drives each one and checks that it fires then and never on a correct guest.
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

    @Override
    protected List<Refusal> refusals() {
        return List.of(
                // a pte page freed without releasePt is announced again when the guest reuses the frame
                Refusal.whenGuest(GuestBug.SKIP_RELEASE_PT, "frame-announced-twice"),
                Refusal.whenCalled("releasePt of a free frame", booted -> booted.ops().releasePt(booted.freeFrame()),
                        "release-of-unannounced-frame"));
    }
}
