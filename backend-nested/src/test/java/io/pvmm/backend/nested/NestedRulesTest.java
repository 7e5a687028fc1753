package io.pvmm.backend.nested;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.PageWalk;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtViolation;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("the nested backend's refusals")
class NestedRulesTest {

    /** A walk that read one entry at {@code entryPa} and landed nowhere. */
    private static PageWalk walkReading(long entryPa) {
        return new PageWalk() {
            @Override public int cpu() { return 0; }
            @Override public long root() { return entryPa; }
            @Override public long address() { return 0; }
            @Override public boolean write() { return false; }
            @Override public boolean user() { return true; }
            @Override public int levels() { return 1; }
            @Override public long entryAddress(int level) { return entryPa; }
            @Override public boolean completed() { return false; }
            @Override public long physicalAddress() { return -1; }
        };
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a walk that reads past the guest's RAM is gpa-outside-guest, and maps nothing")
    void rejectsGpaOutsideGuest(PagingMode mode) {
        NestedGuest g = NestedGuest.boot(mode);
        long beyond = g.kernel().physicalMemory().frames() << 12;
        long mapped = g.counter("guest-frames-mapped");

        assertThatThrownBy(() -> g.ops().pageWalk(walkReading(beyond)))
                .isInstanceOfSatisfying(ParavirtViolation.class,
                        v -> assertThat(v.ruleId()).isEqualTo(NestedRule.GPA_OUTSIDE_GUEST.id()));
        assertThat(g.counter("guest-frames-mapped")).isEqualTo(mapped);
        assertThat(g.ops().audit()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a store to a guest frame the host has not mapped exits once, then goes straight through")
    void storeToUnmappedFrameExitsOnce(PagingMode mode) {
        NestedGuest g = NestedGuest.boot(mode);
        long pa = (g.kernel().physicalMemory().frames() - 1) << 12;
        long exits = g.counter("vm-exits");

        g.ops().setPte(pa, 0x1234_5067L);
        g.ops().setPte(pa + 8, 0x1234_6067L);

        assertThat(g.counter("vm-exits") - exits).isEqualTo(1);
        assertThat(g.kernel().physicalMemory().readEntry(pa)).isEqualTo(0x1234_5067L);
    }
}
