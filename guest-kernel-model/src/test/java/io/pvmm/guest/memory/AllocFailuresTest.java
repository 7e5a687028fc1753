package io.pvmm.guest.memory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("AllocFailures: allocation-failure injection")
class AllocFailuresTest {

    @Test
    @DisplayName("off, it never fails an allocation and counts none: the hot path touches no shared counter")
    void offCountsNothing() {
        AllocFailures off = new AllocFailures(0, 0.0, 1);
        for (int i = 0; i < 1000; i++) {
            assertThat(off.shouldFail()).isFalse();
        }
        assertThat(off.enabled()).isFalse();
        assertThat(off.attempts()).isZero();
        assertThat(off.injected()).isZero();
        assertThat(AllocFailures.NONE.shouldFail()).isFalse();
        assertThat(AllocFailures.NONE.attempts()).isZero();
    }

    @Test
    @DisplayName("fail-alloc-at=k numbers every allocation and fails exactly the k-th")
    void failAtNumbers() {
        AllocFailures at = new AllocFailures(3, 0.0, 1);
        assertThat(at.enabled()).isTrue();
        assertThat(at.shouldFail()).isFalse();
        assertThat(at.shouldFail()).isFalse();
        assertThat(at.shouldFail()).isTrue();
        assertThat(at.shouldFail()).isFalse();
        assertThat(at.attempts()).isEqualTo(4);
        assertThat(at.injected()).isEqualTo(1);
    }

    @Test
    @DisplayName("a failure past the end numbers allocations without failing any, for choosing a fail-alloc-at")
    void countingOnly() {
        AllocFailures counting = new AllocFailures(Long.MAX_VALUE, 0.0, 1);
        for (int i = 0; i < 50; i++) {
            assertThat(counting.shouldFail()).isFalse();
        }
        assertThat(counting.attempts()).isEqualTo(50);
        assertThat(counting.injected()).isZero();
    }

    @Test
    @DisplayName("with a probability, the same seed fails the same allocations and every one is counted")
    void probabilitySeeded() {
        AllocFailures a = new AllocFailures(0, 0.25, 42);
        AllocFailures b = new AllocFailures(0, 0.25, 42);
        int failed = 0;
        for (int i = 0; i < 400; i++) {
            boolean fa = a.shouldFail();
            assertThat(b.shouldFail()).isEqualTo(fa);
            failed += fa ? 1 : 0;
        }
        assertThat(a.attempts()).isEqualTo(400);
        assertThat(a.injected()).isEqualTo(failed).isBetween(50L, 150L);
    }
}
