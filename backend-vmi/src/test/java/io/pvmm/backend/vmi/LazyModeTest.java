package io.pvmm.backend.vmi;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Lazy MMU mode: the guest's stores happen at once, the shadow follows at leave or flush, in order. */
class LazyModeTest {

    private static final long PT = 0x100;

    private final TestGuest guest = new TestGuest(PagingMode.TWO_LEVEL, 2, Map.of());
    private final VmiOps ops = guest.ops();

    private long pte(long pfn) {
        return guest.entry(pfn, EntryBits.PAGE_SHARED);
    }

    private long shadow(int index) {
        return ops.pager().shadowOf(PT).get(index);
    }

    @Test
    @DisplayName("queued updates are not in the shadow until lazy mode is left, then are, the last write winning")
    void updatesApplyAtLeaveInOrder() {
        ops.allocPt(PT);
        ops.setPteAt(0, 0, guest.pa(PT, 0), pte(0x300));
        ops.enterLazyMmu();
        ops.setPteAt(0, 0, guest.pa(PT, 1), pte(0x301));
        ops.pteClear(0, 0, guest.pa(PT, 0));
        ops.setPteAt(0, 0, guest.pa(PT, 2), pte(0x302));
        ops.setPteAt(0, 0, guest.pa(PT, 2), pte(0x303)); // the same entry twice: order matters

        assertThat(guest.memory().readEntry(guest.pa(PT, 1))).isEqualTo(pte(0x301)); // the guest's store is not delayed
        assertThat(guest.memory().readEntry(guest.pa(PT, 2))).isEqualTo(pte(0x303));
        assertThat(shadow(0)).isEqualTo(guest.translated(pte(0x300)));
        assertThat(shadow(1)).isZero();
        assertThat(shadow(2)).isZero();
        assertThat(ops.counters()).containsEntry("lazy-queued", 4L).containsEntry("flushes", 0L);

        ops.leaveLazyMmu();

        assertThat(shadow(0)).isZero();
        assertThat(shadow(1)).isEqualTo(guest.translated(pte(0x301)));
        assertThat(shadow(2)).isEqualTo(guest.translated(pte(0x303)));
        assertThat(ops.counters()).containsEntry("flushes", 1L);
        assertThat(ops.audit()).isEmpty();
    }

    @Test
    @DisplayName("an in-place change announced by pteUpdate is queued behind earlier writes, not ahead of them")
    void pteUpdateQueuedInOrder() {
        ops.allocPt(PT);
        ops.enterLazyMmu();
        ops.setPteAt(0, 0, guest.pa(PT, 4), pte(0x310) | EntryBits.RW);
        guest.memory().writeEntry(guest.pa(PT, 4), pte(0x310) & ~EntryBits.RW); // ptep_set_wrprotect
        ops.pteUpdate(0, 0, guest.pa(PT, 4));
        assertThat(shadow(4)).isZero();
        ops.leaveLazyMmu();
        assertThat(shadow(4)).isEqualTo(guest.translated(pte(0x310) & ~EntryBits.RW));
    }

    static Stream<Arguments> flushes() {
        return Stream.of(
                Arguments.of("flushTlbUser", (Consumer<VmiOps>) VmiOps::flushTlbUser),
                Arguments.of("flushTlbKernel", (Consumer<VmiOps>) VmiOps::flushTlbKernel),
                Arguments.of("flushTlbSingle", (Consumer<VmiOps>) o -> o.flushTlbSingle(0x08048000L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flushes")
    @DisplayName("a TLB flush inside lazy mode applies what is queued and stays lazy")
    void tlbFlushAppliesQueue(String name, Consumer<VmiOps> flush) {
        ops.allocPt(PT);
        ops.enterLazyMmu();
        ops.setPteAt(0, 0, guest.pa(PT, 5), pte(0x320));
        assertThat(shadow(5)).isZero();
        flush.accept(ops);
        assertThat(shadow(5)).isEqualTo(guest.translated(pte(0x320)));
        ops.setPteAt(0, 0, guest.pa(PT, 6), pte(0x321));
        assertThat(shadow(6)).isZero(); // still lazy
        ops.leaveLazyMmu();
        assertThat(shadow(6)).isEqualTo(guest.translated(pte(0x321)));
    }

    @Test
    @DisplayName("lazy mode is per vCPU: one vCPU's queue does not delay another's writes")
    void lazyModeIsPerVcpu() throws InterruptedException {
        ops.allocPt(PT);
        ops.enterLazyMmu(); // vCPU 0
        ops.setPteAt(0, 0, guest.pa(PT, 7), pte(0x330));
        Thread cpu1 = new Thread(() -> {
            guest.becomeCpu(1);
            ops.setPteAt(0, 0, guest.pa(PT, 8), pte(0x331));
        });
        cpu1.start();
        cpu1.join(10_000);
        assertThat(cpu1.isAlive()).isFalse();
        assertThat(shadow(8)).isEqualTo(guest.translated(pte(0x331)));
        assertThat(shadow(7)).isZero();
        ops.leaveLazyMmu();
        assertThat(shadow(7)).isEqualTo(guest.translated(pte(0x330)));
    }

    @Test
    @DisplayName("a queued update to a table released meanwhile does not reach its next shadow")
    void queuedUpdateOfReleasedTableIsDropped() {
        ops.allocPt(PT);
        ops.enterLazyMmu();
        ops.setPteAt(0, 0, guest.pa(PT, 9), pte(0x340));
        ops.releasePt(PT);
        guest.memory().clearFrame(PT);
        ops.allocPt(PT);
        ops.leaveLazyMmu();
        assertThat(shadow(9)).isZero();
        assertThat(ops.audit()).isEmpty();
    }
}
