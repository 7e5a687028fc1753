package io.pvmm.guest.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("GuestClock: jiffies at HZ=250 per vCPU, and each CPU's cache_reap timer")
class GuestClockTest {

    @Test
    @DisplayName("start_cpu_timer: a CPU's first cache_reap is due HZ + 3 * cpu jiffies after boot, then every REAPTIMEOUT_CPUC")
    void reapTimer() {
        GuestClock clock = new GuestClock(2);
        long jiffy = GuestClock.NANOS_PER_JIFFY;
        assertThat(clock.advance(1, (GuestClock.HZ + 2) * jiffy)).as("CPU 1 before HZ + 3").isFalse();
        assertThat(clock.advance(1, jiffy)).as("CPU 1 at HZ + 3").isTrue();
        assertThat(clock.jiffies(1)).isEqualTo(GuestClock.HZ + 3);
        assertThat(clock.jiffies(0)).as("each CPU's clock runs on its own").isZero();
        assertThat(clock.advance(1, (GuestClock.REAPTIMEOUT_CPUC - 1) * jiffy)).isFalse();
        assertThat(clock.advance(1, jiffy)).as("2 * HZ later").isTrue();
        assertThat(clock.advance(0, GuestClock.HZ * jiffy)).as("CPU 0 at HZ").isTrue();
    }

    @Test
    @DisplayName("a jiffy is 4 ms (CONFIG_HZ_250): time below a jiffy accumulates")
    void jiffyIsFourMillis() {
        GuestClock clock = new GuestClock(1);
        for (int i = 0; i < 8; i++) {
            clock.advance(0, 500_000);
        }
        assertThat(clock.jiffies(0)).isEqualTo(1);
        assertThat(clock.nanos(0)).isEqualTo(4_000_000);
    }
}
