package io.pvmm.backend.nested;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.mm.Vma;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("the nested walk")
class NestedWalkTest {

    private static final long HEAP = 0x4000_0000L;

    /**
     * One walk of a 4 KiB user page with every frame already mapped: n guest entries (2 in 2-level
     * mode, 3 in PAE), m host levels (4, or 3 with 2 MiB host pages), (n+1)(m+1)-1 references.
     */
    @ParameterizedTest(name = "{0}, large host pages {1}: {2} references")
    @CsvSource({"TWO_LEVEL, false, 14", "PAE, false, 19", "TWO_LEVEL, true, 11", "PAE, true, 15"})
    @DisplayName("a walk with every frame mapped makes exactly (n+1)(m+1)-1 references, no paging-structure caches")
    void referencesOfOneWalk(PagingMode mode, boolean large, long expected) {
        NestedGuest g = NestedGuest.boot(mode, Map.of(NestedProvider.LARGE_HOST_PAGES, Boolean.toString(large)));
        Processes p = g.init();
        p.mmap(1, HEAP, 1 << 20, Vma.READ | Vma.WRITE, 0, 0);
        assertThat(p.touch(1, HEAP, true)).isEqualTo(Outcome.OK);
        g.kernel().machine().tlbs().flushLocal();
        long walks = g.counter("nested-walks");
        long refs = g.counter("walk-references");
        long exits = g.counter("vm-exits");

        assertThat(p.touch(1, HEAP, false)).isEqualTo(Outcome.OK);

        int n = mode == PagingMode.PAE ? 3 : 2;
        int m = large ? 3 : 4;
        assertThat(expected).isEqualTo((n + 1) * (m + 1) - 1);
        assertThat(g.counter("nested-walks") - walks).isEqualTo(1);
        assertThat(g.counter("walk-references") - refs).isEqualTo(expected);
        assertThat(g.counter("vm-exits")).as("nothing left to map").isEqualTo(exits);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("an EPT violation maps exactly one frame: the fresh page a fault gave the process")
    void violationMapsOneFrame(PagingMode mode) {
        NestedGuest g = NestedGuest.boot(mode);
        Processes p = g.init();
        p.mmap(1, HEAP, 1 << 20, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true); // the pte page exists now, and is mapped
        long violations = g.counter("ept-violations");
        long mapped = g.counter("guest-frames-mapped");

        assertThat(p.touch(1, HEAP + 0x1000, true)).isEqualTo(Outcome.OK);

        assertThat(g.counter("ept-violations") - violations).isEqualTo(1);
        assertThat(g.counter("guest-frames-mapped") - mapped).isEqualTo(1);
        assertThat(g.counter("vm-exits") - violations).as("exits are violations only").isEqualTo(g.counter("ept-violations") - violations);
        assertThat(g.ops().audit()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("every TLB miss's walk reaches the host as a nested walk, and CR3 writes and flushes cost no exit")
    void everyWalkIsNested(PagingMode mode) {
        NestedGuest g = NestedGuest.boot(mode);
        Processes p = g.init();
        long exits = g.counter("vm-exits");
        for (int i = 0; i < 4; i++) {
            g.kernel().processes().schedule(1);
            g.kernel().processes().idle(); // a CR3 write each way
            g.kernel().machine().tlbs().flushLocalGlobal();
        }
        assertThat(g.counter("vm-exits")).isEqualTo(exits);
        p.fork(1, 2);
        p.touch(2, 0xBFFF_F000L, true);
        assertThat(g.counter("nested-walks")).isEqualTo(g.kernel().machine().tlbs().totals().get("walks"));
        assertThat(g.counter("guest-walk-entries")).isEqualTo(g.kernel().machine().tlbs().totals().get("walk-references"));
    }
}
