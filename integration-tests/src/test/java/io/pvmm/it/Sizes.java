package io.pvmm.it;

/**
 * How big the integration runs are. The default keeps {@code mvn verify} of the whole project within
 * its time budget on two cores; the {@code soak} Maven profile sets {@code pvmm.it.soak=true} and
 * every size grows.
 */
final class Sizes {

    /** Whether this is a soak run ({@code -Psoak}). */
    static final boolean SOAK = Boolean.getBoolean("pvmm.it.soak");

    private Sizes() {
    }

    /**
     * A size, larger in a soak run.
     *
     * @param normal the size in a normal build
     * @param soak   the size in a soak run
     * @return the size for this run
     */
    static int of(int normal, int soak) {
        return SOAK ? soak : normal;
    }
}
