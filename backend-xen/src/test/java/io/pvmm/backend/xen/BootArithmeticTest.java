package io.pvmm.backend.xen;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestMachine;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.tck.ReferenceBackend;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Test;

/**
 * Xen forbids PSE, so a 2-level guest maps lowmem with one pte page per 4 MiB where bare hardware
 * uses large pages: a Xen boot announces exactly lowmem / 4 MiB more pte pages.
 */
class BootArithmeticTest {

    @Test
    @DisplayName("a 2-level Xen boot announces lowmem / 4 MiB more pte pages than bare hardware with PSE")
    void allocPtExceedsNativeByLowmemOver4MiB(TestReporter reporter) {
        long mib = 256;
        GuestConfig config = GuestConfig.DEFAULTS.withMemoryMib(mib);
        RunReport xen = new GuestRun(PagingMode.TWO_LEVEL, config, BuiltInWorkloads.all(XenEndToEndTest.SIZES).get("boot"))
                .run(BackendFactory.of(new XenProvider()));
        RunReport bare = new GuestRun(PagingMode.TWO_LEVEL, config, BuiltInWorkloads.all(XenEndToEndTest.SIZES).get("boot"))
                .run(ReferenceBackend.factory(PlatformRequirements.NONE));
        long lowmem = GuestMachine.create(PagingMode.TWO_LEVEL, config, new XenProvider().platform(PagingMode.TWO_LEVEL))
                .layout().maxLowPfn();

        long xenAllocPt = xen.bootHooks().get("allocPt");
        long bareAllocPt = bare.bootHooks().get("allocPt");
        reporter.publishEntry("allocPt", mib + " MiB: xen " + xenAllocPt + ", bare hardware " + bareAllocPt
                + ", Xen lowmem " + (lowmem >> 8) + " MiB");
        assertThat(xen.violations()).isEmpty();
        assertThat(xenAllocPt - bareAllocPt).isEqualTo((lowmem + 1023) / 1024).isEqualTo(64);
        assertThat(bare.bootHooks().get("allocPd")).isEqualTo(xen.bootHooks().get("allocPd"));
    }

    @Test
    @DisplayName("with 1 GiB, Xen's 64 MiB hole comes out of lowmem: 832 MiB, so 208 more pte pages than bare hardware")
    void reservedTopShrinksLowmem() {
        GuestConfig config = GuestConfig.DEFAULTS.withMemoryMib(1024);
        long xenLowmem = GuestMachine.create(PagingMode.TWO_LEVEL, config, new XenProvider().platform(PagingMode.TWO_LEVEL))
                .layout().maxLowPfn();
        long bareLowmem = GuestMachine.create(PagingMode.TWO_LEVEL, config, PlatformRequirements.NONE).layout().maxLowPfn();

        assertThat(bareLowmem >> 8).isEqualTo(896);
        assertThat(xenLowmem >> 8).isEqualTo(832);
        assertThat(xenLowmem / 1024).isEqualTo(208);
    }
}
