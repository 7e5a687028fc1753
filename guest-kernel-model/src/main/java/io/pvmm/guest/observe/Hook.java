package io.pvmm.guest.observe;

/** The {@link io.pvmm.api.ParavirtOps} calls a report counts, named by their Java method names. */
public enum Hook {
    /** {@code allocPt}. */
    allocPt,
    /** {@code allocPd}. */
    allocPd,
    /** {@code allocPdClone}. */
    allocPdClone,
    /** {@code releasePt}. */
    releasePt,
    /** {@code releasePd}. */
    releasePd,
    /** {@code setPte}. */
    setPte,
    /** {@code setPteAt}. */
    setPteAt,
    /** {@code setPteAtomic}. */
    setPteAtomic,
    /** {@code setPmd}. */
    setPmd,
    /** {@code setPgd}. */
    setPgd,
    /** {@code pteClear}. */
    pteClear,
    /** {@code pmdClear}. */
    pmdClear,
    /** {@code pteUpdate}. */
    pteUpdate,
    /** {@code writeFault}. */
    writeFault,
    /** {@code activateMm}. */
    activateMm,
    /** {@code writeCr3}. */
    writeCr3,
    /** {@code dupMmap}. */
    dupMmap,
    /** {@code exitMmap}. */
    exitMmap,
    /** {@code pagetableSetupStart}. */
    pagetableSetupStart,
    /** {@code pagetableSetupDone}. */
    pagetableSetupDone,
    /** {@code flushTlbUser}. */
    flushTlbUser,
    /** {@code flushTlbKernel}. */
    flushTlbKernel,
    /** {@code flushTlbSingle}. */
    flushTlbSingle,
    /** {@code enterLazyMmu}. */
    enterLazyMmu,
    /** {@code leaveLazyMmu}. */
    leaveLazyMmu,
    /** {@code accessedDirtySet}: the MMU's walk set A or D in an entry (SPI 1.1). */
    accessedDirtySet,
    /** {@code pageWalk}: a TLB miss's walk, for a backend that observes walks (SPI 1.1). */
    pageWalk
}
