package ${package};

import io.pvmm.api.ViolationRule;

/** Every refusal of the {@code ${backend}} backend, with its stable id: never change an id once released. */
public enum ${classPrefix}Rule implements ViolationRule {

    /** {@code allocPt}, {@code allocPd} or {@code allocPdClone} of a frame already announced. */
    FRAME_ANNOUNCED_TWICE("frame-announced-twice", "a frame is announced as a page table once, until it is released"),

    /** {@code releasePt} or {@code releasePd} of a frame that is not announced. */
    RELEASE_OF_UNANNOUNCED_FRAME("release-of-unannounced-frame", "only an announced page table is released"),

    /** Found by the audit: an announced frame sits in the guest's free pool. */
    ANNOUNCED_FRAME_IN_FREE_POOL("announced-frame-in-free-pool", "no announced page table is in the guest's free pool");

    private final String id;
    private final String summary;

    ${classPrefix}Rule(String id, String summary) {
        this.id = id;
        this.summary = summary;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String summary() {
        return summary;
    }
}
