package io.pvmm.api;

/**
 * A rule a backend enforces, named by a stable id. Backends declare their rules as an enum that
 * implements this interface; tests and reports refer to rules by id.
 *
 * <pre>{@code
 * enum Rule implements ViolationRule {
 *     RELEASE_OF_UNTYPED_FRAME("release-of-untyped-frame", "a release names a frame that is not a page table");
 *     ...
 * }
 * }</pre>
 */
public interface ViolationRule {

    /**
     * The rule's stable id: lower-case words joined by dashes, unique within the backend. Reports,
     * documentation and detection matrices use it; never change an id once released.
     *
     * @return the id, e.g. {@code release-of-untyped-frame}
     */
    String id();

    /**
     * One sentence that states the rule.
     *
     * @return the rule in plain words
     */
    String summary();
}
