package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtViolation;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.kernel.GuestKernel;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a backend refuses: a refusal is a {@link ParavirtViolation} that names a stable rule, the frame,
 * and what the rule expected against what the backend found, thrown before any state changes. The
 * refusals a backend declares ({@link Behavior}) are driven on a booted guest; the ones it does not
 * declare must really be absent.
 */
abstract class ViolationRules extends KitRules {

    /** Rule ids: lower-case words joined by dashes. */
    static final Pattern RULE_ID = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    ViolationRules(Supplier<BackendUnderTest> backend) {
        super(backend);
    }

    @Test
    @DisplayName("refuses to announce a page table twice, with a violation that names its rule")
    void refusesADoubleAnnouncement() {
        assumeSeesTheHooks();
        assumeTrue(backend().has(Behavior.REJECTS_DOUBLE_ANNOUNCE),
                () -> backend().name() + " does not declare Behavior.REJECTS_DOUBLE_ANNOUNCE");
        for (PagingMode mode : modes()) {
            BackendUnderTest.Booted booted = backend().boot(mode, KitRules.GUEST);
            long pfn = kernelPteTable(booted.kernel());
            StateSnapshot before = StateSnapshot.of(booted.kernel());
            ParavirtViolation v = catchThrowableOfType(() -> booted.ops().allocPt(pfn), ParavirtViolation.class);
            assertWellFormed(v, pfn, "allocPt of the kernel pte table 0x" + Long.toHexString(pfn) + " announced at boot, in " + mode.configName() + " mode");
            assertThat(StateSnapshot.of(booted.kernel())).as("guest memory, free frames and counters after the refused call: the refusal changed nothing")
                    .isEqualTo(before);
            assertThat(booted.ops().audit()).as("audit after the refused call").isEmpty();
        }
    }

    @Test
    @DisplayName("refuses to release a frame that was never announced, with a violation that names its rule")
    void refusesAReleaseOfAnUnannouncedFrame() {
        assumeSeesTheHooks();
        assumeTrue(backend().has(Behavior.REJECTS_RELEASE_OF_UNANNOUNCED_FRAME),
                () -> backend().name() + " does not declare Behavior.REJECTS_RELEASE_OF_UNANNOUNCED_FRAME");
        for (PagingMode mode : modes()) {
            BackendUnderTest.Booted booted = backend().boot(mode, KitRules.GUEST);
            long pfn = freeFrame(booted.kernel());
            StateSnapshot before = StateSnapshot.of(booted.kernel());
            ParavirtViolation v = catchThrowableOfType(() -> booted.ops().releasePt(pfn), ParavirtViolation.class);
            assertWellFormed(v, pfn, "releasePt of the free frame 0x" + Long.toHexString(pfn) + " in " + mode.configName() + " mode");
            assertThat(StateSnapshot.of(booted.kernel())).as("guest memory, free frames and counters after the refused call: the refusal changed nothing")
                    .isEqualTo(before);
            assertThat(booted.ops().audit()).as("audit after the refused call").isEmpty();
        }
    }

    /** A monitor that finds page tables without the hooks has no announcement or release to refuse: say so. */
    private void assumeSeesTheHooks() {
        assumeTrue(!backend().has(Behavior.FINDS_PAGE_TABLES_WITHOUT_HOOKS), () -> backend().name()
                + " finds page tables without the lifecycle hooks (Behavior.FINDS_PAGE_TABLES_WITHOUT_HOOKS): it never"
                + " learns that a frame was announced or released, so it has no announcement or release to refuse");
    }

    @Test
    @DisplayName("accepts what it does not declare that it refuses")
    void acceptsWhatItDoesNotDeclareItRefuses() {
        List<Behavior> undeclared = Arrays.stream(Behavior.values()).filter(Behavior::isRefusal).filter(b -> !backend().has(b)).toList();
        assumeTrue(!undeclared.isEmpty(), () -> backend().name() + " declares every refusal the kit knows");
        for (PagingMode mode : modes()) {
            for (Behavior behavior : undeclared) {
                BackendUnderTest.Booted booted = backend().boot(mode, KitRules.GUEST);
                Runnable act = switch (behavior) {
                    case REJECTS_DOUBLE_ANNOUNCE -> () -> booted.ops().allocPt(kernelPteTable(booted.kernel()));
                    case REJECTS_RELEASE_OF_UNANNOUNCED_FRAME -> () -> booted.ops().releasePt(freeFrame(booted.kernel()));
                    case FINDS_PAGE_TABLES_WITHOUT_HOOKS, AUDIT_FINDS_GUEST_BUGS -> throw new IllegalStateException("not a refusal: " + behavior);
                };
                assertThatCode(act::run)
                        .as("%s in %s mode: it refuses this, so declare Behavior.%s in hasBehavior", backend().name(), mode.configName(), behavior)
                        .doesNotThrowAnyException();
            }
        }
    }

    static void assertWellFormed(ParavirtViolation v, long pfn, String what) {
        assertThat(v).as("%s: a ParavirtViolation", what).isNotNull();
        assertThat(v.ruleId()).as("%s: rule id", what).matches(RULE_ID);
        assertThat(v.rule().summary()).as("%s: the rule's summary", what).isNotBlank();
        assertThat(v.pfn()).as("%s: the frame named", what).isEqualTo(pfn);
        assertThat(v.expected()).as("%s: what the rule expects", what).isNotBlank();
        assertThat(v.found()).as("%s: what the backend found", what).isNotBlank();
        assertThat(v.getMessage()).as("%s: message", what).contains(v.ruleId());
    }

    /** A pte table of the kernel's own, announced at boot: the first one linked from {@code swapper_pg_dir}'s kernel half. */
    static long kernelPteTable(GuestKernel kernel) {
        GuestLayout layout = kernel.layout();
        PageTables tables = kernel.tables();
        PagingMode mode = kernel.mode();
        for (long va = PagingMode.PAGE_OFFSET; va < (1L << 32); va += mode.pmdSize()) {
            long pa = tables.pmdEntryFor(layout.swapperPgDir(), va);
            long pmd = pa < 0 ? 0 : tables.read(pa);
            if (EntryBits.isPresent(pmd) && !EntryBits.isLarge(pmd)) {
                return tables.pfn(pmd);
            }
        }
        throw new AssertionError("the kernel's tables link no pte table");
    }

    /** A lowmem frame in the free pool, never announced. */
    static long freeFrame(GuestKernel kernel) {
        for (long pfn = kernel.layout().maxLowPfn() - 1; pfn > 0; pfn--) {
            if (kernel.pool().isFree(pfn)) {
                return pfn;
            }
        }
        throw new AssertionError("no free frame");
    }
}
