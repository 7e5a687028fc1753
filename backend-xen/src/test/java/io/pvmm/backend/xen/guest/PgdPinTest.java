package io.pvmm.backend.xen.guest;

import static io.pvmm.backend.xen.Violations.RULE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtViolation;
import io.pvmm.backend.xen.XenRule;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Late pin at fork and exec, early unpin at exit, in both paging modes. */
class PgdPinTest {

    private static final long VA = 0x0804_8000L;

    @Test
    @DisplayName("the port enables extended CR3 before paging starts, as 2.6.23's xen_arch_setup does, so Xen accepts PAE roots above 4 GiB")
    void portEnablesExtendedCr3() {
        MiniGuest g = new MiniGuest(PagingMode.PAE);
        assertThat(g.hv().paeExtendedCr3()).isTrue();
        assertThat(g.counter("hypercalls")).isZero();
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("dupMmap makes every table of the child read-only and pins its root, validating the tree")
    void dupMmapPins(PagingMode mode) {
        MiniGuest g = new MiniGuest(mode).boot();
        long child = g.newRoot();
        long pte = g.ptePage(child, VA);
        g.map(child, VA, 200, EntryBits.PAGE_SHARED);
        long pins = g.counter("pins");

        g.ops.dupMmap(g.swapper, child);

        assertThat(g.hv().isPinned(g.mfn(child >>> 12))).isTrue();
        assertThat(g.directMapWritable(child >>> 12)).isFalse();
        assertThat(g.directMapWritable(pte)).isFalse();
        assertThat(g.hv().isTypedL1(g.mfn(pte))).isTrue();
        assertThat(g.counter("pins")).isEqualTo(pins + 1);
        assertThat(g.ops.audit()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(PagingMode.class)
    @DisplayName("exitMmap moves every vCPU off the root, unpins it and makes its tables writable for the teardown")
    void exitMmapUnpins(PagingMode mode) {
        MiniGuest g = new MiniGuest(mode, 2, Map.of()).boot();
        long root = g.newRoot();
        long pte = g.ptePage(root, VA);
        g.ops.activateMm(g.swapper, root);
        g.context.runAs(1);
        g.ops.writeCr3(root); // vCPU 1 runs the address space, vCPU 0 tears it down
        g.context.runAs(0);
        g.ops.writeCr3(root);
        g.map(root, VA, 201, EntryBits.PAGE_SHARED);

        g.ops.exitMmap(root);

        assertThat(g.hv().base(0)).isEqualTo(g.mfn(MiniGuest.SWAPPER_PFN));
        assertThat(g.hv().base(1)).isEqualTo(g.mfn(MiniGuest.SWAPPER_PFN));
        assertThat(g.hv().isPinned(g.mfn(root >>> 12))).isFalse();
        assertThat(g.hv().isTypedTable(g.mfn(root >>> 12))).isFalse();
        assertThat(g.directMapWritable(root >>> 12)).isTrue();
        assertThat(g.directMapWritable(pte)).isTrue();
        assertThat(g.counter("unpins")).isEqualTo(1);
        assertThat(g.ops.audit()).isEmpty();

        // the teardown that follows writes plain memory, then releases
        g.memory.writeEntry(g.ptePa(root, VA), 0);
        g.ops.pmdClear(g.pmdEntry(root, VA));
        g.ops.releasePt(pte);
        assertThat(g.ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("exitMmap of a tree that was never pinned (a failed fork) still makes its tables writable")
    void exitMmapNeverPinned() {
        MiniGuest g = new MiniGuest(PagingMode.TWO_LEVEL).boot();
        long child = g.newRoot();
        long pte = g.ptePage(child, VA);
        long mmuext = g.counter("mmuext-ops");

        g.ops.exitMmap(child);

        assertThat(g.directMapWritable(child >>> 12)).isTrue();
        assertThat(g.directMapWritable(pte)).isTrue();
        assertThat(g.counter("mmuext-ops")).isEqualTo(mmuext);
        assertThat(g.counter("unpins")).isZero();
        assertThat(g.ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("a cached root made writable by an unpin is made read-only again by the next pin")
    void repinOfCachedRoot() {
        MiniGuest g = new MiniGuest(PagingMode.TWO_LEVEL).boot();
        long root = g.newRoot();
        g.ops.dupMmap(g.swapper, root);
        g.ops.exitMmap(root);
        assertThat(g.directMapWritable(root >>> 12)).isTrue();

        g.ops.dupMmap(g.swapper, root);

        assertThat(g.directMapWritable(root >>> 12)).isFalse();
        assertThat(g.hv().isPinned(g.mfn(root >>> 12))).isTrue();
        assertThat(g.ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("pin-validation-failed: a child whose pte maps its own pte page writable cannot be pinned")
    void pinValidationFailed() {
        MiniGuest g = new MiniGuest(PagingMode.TWO_LEVEL).boot();
        long child = g.newRoot();
        long pte = g.ptePage(child, VA);
        g.map(child, VA, pte, EntryBits.PAGE_SHARED); // accepted: the table is not validated yet

        assertThatThrownBy(() -> g.ops.dupMmap(g.swapper, child))
                .hasMessageContaining("typed-frame-mapped-writable")
                .extracting(RULE).isEqualTo(XenRule.PIN_VALIDATION_FAILED);
        assertThat(g.hv().isPinned(g.mfn(child >>> 12))).isFalse();
        assertThat(g.ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("pin-of-pinned-frame: activateMm of a root that is pinned already")
    void pinOfPinnedFrame() {
        MiniGuest g = new MiniGuest(PagingMode.TWO_LEVEL).boot();
        long root = g.newRoot();
        g.ops.dupMmap(g.swapper, root);

        assertThatThrownBy(() -> g.ops.activateMm(g.swapper, root)).extracting(RULE).isEqualTo(XenRule.PIN_OF_PINNED_FRAME);
    }

    @Test
    @DisplayName("shared-pae-kernel-pmd: a PAE root that shares swapper's kernel pmd cannot be pinned")
    void sharedPaeKernelPmd() {
        MiniGuest g = new MiniGuest(PagingMode.PAE).boot();
        long root = g.alloc() << 12;
        for (int i = 0; i < 3; i++) {
            long pmd = g.alloc();
            g.ops.allocPd(pmd);
            g.ops.setPgd(root + i * 8L, g.entry(pmd, EntryBits.PRESENT));
        }
        g.ops.setPgd(root + 24, g.memory.readEntry(g.swapper + 24)); // 2.6.21's shared kernel pmd

        assertThatThrownBy(() -> g.ops.dupMmap(g.swapper, root))
                .hasMessageContaining("PAE L3 3rd slot is shared")
                .extracting(RULE).isEqualTo(XenRule.SHARED_PAE_KERNEL_PMD);
        assertThat(g.ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("release-of-unannounced-frame: a PAE pmd linked with no alloc_pd (missing-alloc-pd) pins, as alloc_pd is a no-op to 2.6.23's Xen, but its release_pd is refused")
    void unannouncedPaePmdIsCaughtAtRelease() {
        MiniGuest g = new MiniGuest(PagingMode.PAE).boot();
        long root = g.newRoot();
        long pmd = g.alloc(); // pgd_alloc without its alloc_pd: the direct map still maps it writable
        g.ops.setPgd(root + 8, g.entry(pmd, EntryBits.PRESENT));
        assertThat(g.directMapWritable(pmd)).isTrue();

        g.ops.dupMmap(g.swapper, root); // pgd_walk makes every pmd read-only, announced or not
        assertThat(g.directMapWritable(pmd)).isFalse();
        assertThat(g.hv().isPinned(g.mfn(root >>> 12))).isTrue();
        g.ops.exitMmap(root);

        assertThatThrownBy(() -> g.ops.releasePd(pmd)) // pgd_free
                .isInstanceOf(ParavirtViolation.class)
                .extracting(RULE).isEqualTo(XenRule.RELEASE_OF_UNANNOUNCED_FRAME);
        long announced = (g.ops.entryValue(g.memory.readEntry(root)) & PagingMode.PAE.frameMask()) >>> 12;
        g.ops.releasePd(announced); // the control: a pmd announced with alloc_pd is released
        assertThat(g.directMapWritable(announced)).isTrue();
    }

    @Test
    @DisplayName("the PAE walk covers the user pte pages, all four pmds and the root")
    void paeWalk() {
        MiniGuest g = new MiniGuest(PagingMode.PAE).boot();
        long root = g.newRoot();
        long pte = g.ptePage(root, VA);
        PgdPin pin = new PgdPin(g.context.layout(), g.hv(), new LowmemMappings(g.context.layout(), g.hv().machine()), null,
                new PgPinned(), new LoadedRoots(1));

        assertThat(pin.pgdWalk(root)).hasSize(6).startsWith(pte).endsWith(root >>> 12);
    }
}
