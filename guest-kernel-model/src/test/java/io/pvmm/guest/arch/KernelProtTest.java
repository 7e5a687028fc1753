package io.pvmm.guest.arch;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The kernel's protection values: {@code pagetable_init} adds {@code _PAGE_GLOBAL} to each when the CPU has PGE. */
class KernelProtTest {

    /** Each value by its kernel name, with the {@code __PAGE_KERNEL*} it is built from. */
    private static final Map<String, Map.Entry<ToLongFunction<KernelProt>, Long>> VALUES = Map.of(
            "PAGE_KERNEL", Map.entry(KernelProt::kernel, EntryBits.PAGE_KERNEL),
            "PAGE_KERNEL_EXEC", Map.entry(KernelProt::kernelExec, EntryBits.PAGE_KERNEL_EXEC),
            "PAGE_KERNEL_LARGE", Map.entry(KernelProt::kernelLarge, EntryBits.PAGE_KERNEL_LARGE),
            "PAGE_KERNEL_LARGE_EXEC", Map.entry(KernelProt::kernelLargeExec, EntryBits.PAGE_KERNEL_LARGE_EXEC),
            "PAGE_KERNEL_NOCACHE", Map.entry(KernelProt::kernelNocache, EntryBits.PAGE_KERNEL_NOCACHE),
            "PAGE_KERNEL_RO", Map.entry(KernelProt::kernelRo, EntryBits.PAGE_KERNEL_RO));

    @Test
    @DisplayName("with PGE every PAGE_KERNEL* value is its __PAGE_KERNEL* with _PAGE_GLOBAL; without PGE it is the bare value")
    void globalOnlyWithPge() {
        KernelProt pge = new KernelProt(true);
        KernelProt noPge = new KernelProt(false);
        assertThat(VALUES).hasSize(6);
        VALUES.forEach((name, value) -> {
            long bare = value.getValue();
            assertThat(bare & EntryBits.GLOBAL).as("%s is built without _PAGE_GLOBAL", name).isZero();
            assertThat(value.getKey().applyAsLong(pge)).as(name + " with PGE").isEqualTo(bare | EntryBits.GLOBAL);
            assertThat(value.getKey().applyAsLong(noPge)).as(name + " without PGE").isEqualTo(bare);
        });
    }

    @Test
    @DisplayName("the values differ as their names say: EXEC lacks NX, LARGE has PSE, NOCACHE has PCD, RO lacks RW")
    void valuesApart() {
        KernelProt prot = new KernelProt(true);
        assertThat(prot.kernel() & EntryBits.NX).isNotZero();
        assertThat(prot.kernelExec() & EntryBits.NX).isZero();
        assertThat(prot.kernelLarge() & EntryBits.PSE).isNotZero();
        assertThat(prot.kernelLargeExec() & (EntryBits.PSE | EntryBits.NX)).isEqualTo(EntryBits.PSE);
        assertThat(prot.kernelNocache() & EntryBits.PCD).isNotZero();
        assertThat(prot.kernel() & EntryBits.PCD).isZero();
        assertThat(prot.kernelRo() & EntryBits.RW).isZero();
        assertThat(prot.kernel() & EntryBits.RW).isNotZero();
    }
}
