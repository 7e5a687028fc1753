package org.example.pvmm.checking;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.tck.Behavior;
import io.pvmm.tck.ParavirtOpsCompatibilityKit;
import io.pvmm.tck.Refusal;
import java.util.List;

/**
 * The checking backend passes the pvmm compatibility kit. It declares the refusals it makes beyond what
 * every backend owes, and each of its rules with the guest action that breaks it, so the kit drives
 * them, checks their violations, and checks that none fires on a correct guest.
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

    @Override
    protected List<Refusal> refusals() {
        return List.of(
                Refusal.whenGuest(GuestBug.SKIP_RELEASE_PT, "frame-announced-twice"),
                Refusal.whenGuest(GuestBug.FREE_BEFORE_RELEASE, "release-of-free-frame"),
                Refusal.whenCalled("releasePt of a free frame", b -> b.ops().releasePt(b.freeFrame()), "release-of-unannounced-frame"),
                Refusal.whenCalled("allocPdClone from a free frame",
                        b -> b.ops().allocPdClone(b.freeFrame(), b.freeFrame(), 768, 256), "clone-from-unannounced-root")
                        .inModes(PagingMode.TWO_LEVEL),
                Refusal.whenCalled("enterLazyMmu twice", b -> {
                    b.ops().enterLazyMmu();
                    try {
                        b.ops().enterLazyMmu();
                    } finally {
                        b.ops().leaveLazyMmu();
                    }
                }, "lazy-mode-nested"),
                Refusal.whenCalled("leaveLazyMmu without enterLazyMmu", b -> b.ops().leaveLazyMmu(), "lazy-mode-not-entered"));
    }
}
