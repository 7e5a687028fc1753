package io.pvmm.guest.mm;

import io.pvmm.guest.hw.VcpuThread;
import java.util.Objects;

/**
 * The kernel's per-CPU state for memory: for each CPU, the address space it has loaded
 * ({@code active_mm}, which a kernel thread borrows lazily, and {@code cpu_tlbstate.active_mm}), its
 * {@code cpu_tlbstate.state} ({@link TlbState}) and whether it is in lazy MMU mode (the paravirt
 * per-CPU lazy mode). A CPU is a vCPU of the hardware layer, a {@link VcpuThread}; the
 * hardware's own per-vCPU state (CR3, the TLB) is in {@code io.pvmm.guest.hw}.
 */
public final class Cpus {

    /** {@code cpu_tlbstate.state} ({@code include/asm-i386/tlbflush.h}, SMP). */
    public enum TlbState {
        /** {@code TLBSTATE_OK}: a task of {@code active_mm} runs; a flush IPI flushes. */
        OK,
        /** {@code TLBSTATE_LAZY}: a kernel thread (or an exiting task) borrows {@code active_mm}; a flush IPI leaves it. */
        LAZY
    }

    /**
     * Array slots between two CPUs' variables: 128 bytes of references (compressed; more with wider
     * ones) or of booleans, so that each CPU's variables sit in lines of their own, as the kernel's
     * per-CPU areas keep them ({@code DEFINE_PER_CPU}; {@code cpu_tlbstate} is
     * {@code ____cacheline_aligned}). Written on every switch and lazy-mode change by their own CPU
     * only, they are never in a line another CPU writes.
     */
    private static final int STRIDE = 128;

    /** One CPU's scheduling state: a view of its per-CPU variables. */
    public final class Cpu {
        private final int id;
        private final int slot;

        Cpu(int id) {
            this.id = id;
            this.slot = id * STRIDE;
        }

        /** @return the CPU number */
        public int id() {
            return id;
        }

        /** @return the address space loaded in CR3, or null for {@code init_mm} */
        public MmStruct activeMm() {
            return activeMm[slot];
        }

        /** @param mm the address space now loaded; null for {@code init_mm} */
        public void setActiveMm(MmStruct mm) {
            activeMm[slot] = mm;
        }

        /** @return {@code cpu_tlbstate.state} */
        public TlbState tlbState() {
            return tlbState[slot] ? TlbState.LAZY : TlbState.OK;
        }

        /** @param state the new {@code cpu_tlbstate.state} */
        public void setTlbState(TlbState state) {
            tlbState[slot] = Objects.requireNonNull(state, "state") == TlbState.LAZY;
        }

        /** @return whether lazy MMU mode is active */
        public boolean lazyMmu() {
            return lazyMmu[slot];
        }

        /** @param on lazy MMU mode entered or left */
        public void setLazyMmu(boolean on) {
            lazyMmu[slot] = on;
        }
    }

    /** {@code per_cpu(cpu_tlbstate, cpu).active_mm}, at {@code cpu * STRIDE}. */
    private final MmStruct[] activeMm;
    /** The paravirt per-CPU lazy mode, at {@code cpu * STRIDE}. */
    private final boolean[] lazyMmu;
    /** {@code per_cpu(cpu_tlbstate, cpu).state == TLBSTATE_LAZY}, at {@code cpu * STRIDE}. */
    private final boolean[] tlbState;
    private final Cpu[] cpus;

    /**
     * Creates the CPUs, all with {@code init_mm} loaded.
     *
     * @param n how many
     */
    public Cpus(int n) {
        activeMm = new MmStruct[n * STRIDE];
        lazyMmu = new boolean[n * STRIDE];
        tlbState = new boolean[n * STRIDE];
        cpus = new Cpu[n];
        for (int i = 0; i < n; i++) {
            cpus[i] = new Cpu(i);
        }
    }

    /** @return the calling CPU's state */
    public Cpu current() {
        return cpus[VcpuThread.currentId()];
    }

    /**
     * A CPU's state.
     *
     * @param id a CPU number
     * @return its state
     */
    public Cpu get(int id) {
        return Objects.checkIndex(id, cpus.length) >= 0 ? cpus[id] : null;
    }

    /** @return the number of CPUs */
    public int count() {
        return cpus.length;
    }

    /**
     * Whether an address space is the one loaded on the calling CPU (so a TLB flush for it is local).
     *
     * @param mm an address space
     * @return whether it is current here
     */
    public boolean isCurrent(MmStruct mm) {
        return current().activeMm() == mm;
    }
}
