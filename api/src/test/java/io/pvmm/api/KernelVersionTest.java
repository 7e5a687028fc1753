package io.pvmm.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("KernelVersion: the kernels the model follows, and what a backend requires")
class KernelVersionTest {

    @Test
    @DisplayName("2.6.21 and 2.6.23 parse as written, with or without a leading v or linux-, and compare by release")
    void parsesAndCompares() {
        assertThat(KernelVersion.parse("2.6.21")).isEqualTo(KernelVersion.V2_6_21);
        assertThat(KernelVersion.parse(" v2.6.23 ")).isEqualTo(KernelVersion.V2_6_23);
        assertThat(KernelVersion.parse("linux-2.6.23")).isEqualTo(KernelVersion.V2_6_23);
        assertThat(KernelVersion.V2_6_23).isGreaterThan(KernelVersion.V2_6_21);
        assertThat(KernelVersion.V2_6_23.isAtLeast(KernelVersion.V2_6_21)).isTrue();
        assertThat(KernelVersion.V2_6_21.isAtLeast(KernelVersion.V2_6_23)).isFalse();
        assertThat(KernelVersion.V2_6_21).hasToString("2.6.21");
        assertThat(KernelVersion.OLDEST).isEqualTo(KernelVersion.V2_6_21);
    }

    @Test
    @DisplayName("any other version is refused, naming the accepted ones")
    void refusesOthers() {
        assertThatThrownBy(() -> KernelVersion.parse("2.6.22")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'2.6.22' is not a modelled kernel version; accepted: 2.6.21, 2.6.23");
        assertThatThrownBy(() -> KernelVersion.parse(null)).hasMessageContaining("accepted: 2.6.21, 2.6.23");
    }

    @Test
    @DisplayName("only 2.6.23 has paravirt_ops' activate_mm, dup_mmap, exit_mmap and pagetable_setup_start/done")
    void addressSpaceHooks() {
        assertThat(KernelVersion.V2_6_21.hasAddressSpaceHooks()).isFalse();
        assertThat(KernelVersion.V2_6_23.hasAddressSpaceHooks()).isTrue();
        assertThat(KernelVersion.V2_6_23.summary()).contains("first Xen pv-ops kernel");
    }

    @Test
    @DisplayName("PlatformRequirements: SPI 1.0's constructor serves every kernel; requiringKernel raises the minimum")
    void platformMinimumKernel() {
        PlatformRequirements old = new PlatformRequirements(true, true, false, 0);
        assertThat(old.minimumKernel()).isEqualTo(KernelVersion.OLDEST);
        assertThat(old).isEqualTo(PlatformRequirements.NONE);
        assertThat(old.serves(KernelVersion.V2_6_21)).isTrue();

        PlatformRequirements xen = PlatformRequirements.NONE.withoutPse().requiringKernel(KernelVersion.V2_6_23).withoutPge();
        assertThat(xen.minimumKernel()).isEqualTo(KernelVersion.V2_6_23);
        assertThat(xen.serves(KernelVersion.V2_6_21)).isFalse();
        assertThat(xen.serves(KernelVersion.V2_6_23)).isTrue();
        assertThat(xen.describe()).isEqualTo("no PSE, no PGE, kernel 2.6.23 or later");
        assertThat(PlatformRequirements.NONE.describe()).isEqualTo("none");
    }

    @Test
    @DisplayName("an unshared PAE kernel pmd needs 2.6.23: 2.6.21 has no SHARED_KERNEL_PMD switch")
    void unsharedKernelPmdNeedsTwoSixTwentyThree() {
        assertThat(PlatformRequirements.NONE.withUnsharedKernelPmd().minimumKernel()).isEqualTo(KernelVersion.V2_6_23);
        assertThat(new PlatformRequirements(true, true, true, 0, KernelVersion.V2_6_21).minimumKernel())
                .isEqualTo(KernelVersion.V2_6_23);
    }
}
