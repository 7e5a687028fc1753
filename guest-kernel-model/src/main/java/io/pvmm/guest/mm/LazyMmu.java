package io.pvmm.guest.mm;

import io.pvmm.guest.arch.Paravirt;

/**
 * {@code arch_enter_lazy_mmu_mode} and {@code arch_leave_lazy_mmu_mode} around a pte-level loop, with
 * the calling CPU's flag kept so that a nested entry is caught: the mode is never nested, always
 * paired.
 */
final class LazyMmu {

    private final Paravirt pv;
    private final Cpus cpus;

    /**
     * Creates the pair.
     *
     * @param pv   paravirt wrappers
     * @param cpus the CPUs, whose lazy flag this keeps
     */
    LazyMmu(Paravirt pv, Cpus cpus) {
        this.pv = pv;
        this.cpus = cpus;
    }

    /** {@code arch_enter_lazy_mmu_mode()}. */
    void enter() {
        Cpus.Cpu cpu = cpus.current();
        if (cpu.lazyMmu()) {
            throw new IllegalStateException("lazy MMU mode entered twice on cpu " + cpu.id());
        }
        cpu.setLazyMmu(true);
        pv.enterLazyMmu();
    }

    /** {@code arch_leave_lazy_mmu_mode()}. */
    void leave() {
        cpus.current().setLazyMmu(false);
        pv.leaveLazyMmu();
    }
}
