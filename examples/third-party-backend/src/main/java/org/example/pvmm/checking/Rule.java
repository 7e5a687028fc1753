package org.example.pvmm.checking;

import io.pvmm.api.ViolationRule;

/** The rules the checking backend enforces, each checkable from the calls it receives. */
public enum Rule implements ViolationRule {

    /** {@code allocPt}, {@code allocPd} or {@code allocPdClone} of a frame already announced. */
    FRAME_ANNOUNCED_TWICE("frame-announced-twice", "a frame is announced as a page table once, until it is released"),

    /** A pmd write whose value links a frame that was never announced with {@code allocPt}. */
    LINK_TO_UNANNOUNCED_TABLE("link-to-unannounced-table", "a pmd entry links a pte page only after allocPt announced it"),

    /** {@code releasePt}/{@code releasePd} of a frame not announced at that level. */
    RELEASE_OF_UNANNOUNCED_FRAME("release-of-unannounced-frame", "only an announced page table is released, at the level it was announced"),

    /** A release of a frame that is already in the guest's free pool. */
    RELEASE_OF_FREE_FRAME("release-of-free-frame", "a page table is released before its frame returns to any free pool"),

    /** {@code releasePt} of a user pte page that a pmd entry still links. */
    RELEASE_OF_LINKED_TABLE("release-of-linked-table", "a user pte page is released only after the pmd entry linking it was cleared"),

    /** {@code allocPdClone} from a frame that is not an announced page directory. */
    CLONE_FROM_UNANNOUNCED_ROOT("clone-from-unannounced-root", "allocPdClone copies the kernel half of an announced root"),

    /** {@code enterLazyMmu} while lazy MMU mode is already on for the vCPU. */
    LAZY_MODE_NESTED("lazy-mode-nested", "lazy MMU mode is never nested"),

    /** {@code leaveLazyMmu} while lazy MMU mode is off for the vCPU. */
    LAZY_MODE_NOT_ENTERED("lazy-mode-not-entered", "lazy MMU mode is left only after it was entered"),

    /** Found by the audit: an announced frame sits in the guest's free pool. */
    ANNOUNCED_FRAME_IN_FREE_POOL("announced-frame-in-free-pool", "no announced page table is in the guest's free pool"),

    /** Found by the audit: lazy MMU mode is still on while the guest is quiescent. */
    LAZY_MODE_LEFT_OPEN("lazy-mode-left-open", "lazy MMU mode is left before the guest goes quiescent");

    private final String id;
    private final String summary;

    Rule(String id, String summary) {
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
