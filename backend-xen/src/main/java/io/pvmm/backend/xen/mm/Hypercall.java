package io.pvmm.backend.xen.mm;

import java.util.Objects;

/**
 * One request a guest makes of Xen: issued alone as a direct hypercall, or as one entry of a
 * multicall batch ({@code HYPERVISOR_multicall}).
 */
public sealed interface Hypercall {

    /**
     * One {@code MMU_NORMAL_PT_UPDATE} request of {@code HYPERVISOR_mmu_update}.
     *
     * @param ptr machine address of the entry
     * @param val the new entry (machine frame numbers)
     */
    record MmuUpdate(long ptr, long val) implements Hypercall {
        @Override
        public String toString() {
            return String.format("mmu_update(ptr 0x%x, val 0x%x)", ptr, val);
        }
    }

    /**
     * {@code HYPERVISOR_update_va_mapping(va, val, 0)}: the L1 entry that maps {@code va} in the
     * calling vCPU's current address space.
     *
     * @param va  the virtual address
     * @param val the new entry (machine frame numbers)
     */
    record UpdateVaMapping(long va, long val) implements Hypercall {
        @Override
        public String toString() {
            return String.format("update_va_mapping(va 0x%08x, val 0x%x)", va, val);
        }
    }

    /**
     * One {@code HYPERVISOR_mmuext_op}.
     *
     * @param cmd the command
     * @param arg its argument: a machine frame ({@code mfn}) or a linear address ({@code INVLPG_LOCAL})
     */
    record MmuextOp(MmuextCmd cmd, long arg) implements Hypercall {
        /**
         * Checks the command is given.
         *
         * @param cmd the command
         * @param arg its argument
         */
        public MmuextOp {
            Objects.requireNonNull(cmd, "cmd");
        }

        @Override
        public String toString() {
            return String.format("mmuext_op(%s, 0x%x)", cmd, arg);
        }
    }
}
