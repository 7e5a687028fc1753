package io.pvmm.backend.nested;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each invariant of the nested table, broken on purpose in a booted guest's table. */
@DisplayName("the nested audit")
class NestedAuditTest {

    private static List<String> rules(NestedGuest g) {
        return g.ops().audit().stream().map(Finding::ruleId).distinct().toList();
    }

    /** The guest-physical address of {@code swapper_pg_dir}, which boot wrote and so mapped. */
    private static long mappedGpa(NestedGuest g) {
        long gpa = g.kernel().layout().swapperPgDir();
        assertThat(g.ops().table().mapped(gpa)).isTrue();
        return gpa;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a booted guest's table audits clean")
    void bootedGuestIsClean(PagingMode mode) {
        NestedGuest g = NestedGuest.boot(mode);
        g.init();
        assertThat(g.ops().audit()).isEmpty();
        assertThat(g.counter("guest-frames-mapped")).isEqualTo(g.ops().frames().guestFrames()).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a leaf that reaches the host's own memory is guest-maps-host-memory")
    void findsLeafIntoHostMemory(PagingMode mode) {
        NestedGuest g = NestedGuest.boot(mode);
        g.ops().table().poke(mappedGpa(g), 1, EptEntry.leaf(0x5000, false)); // host frame 5: the host kernel's
        assertThat(rules(g)).contains(NestedRule.GUEST_MAPS_HOST_MEMORY.id());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a leaf that reaches a nested table is guest-maps-host-memory")
    void findsLeafIntoNestedTable(PagingMode mode) {
        NestedGuest g = NestedGuest.boot(mode);
        g.ops().table().poke(mappedGpa(g), 1, EptEntry.leaf(g.ops().table().root() << 12, false));
        assertThat(rules(g)).contains(NestedRule.GUEST_MAPS_HOST_MEMORY.id());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a leaf beyond host memory is nested-mapping-unowned")
    void findsUnownedLeaf(PagingMode mode) {
        NestedGuest g = NestedGuest.boot(mode);
        g.ops().table().poke(mappedGpa(g), 1, EptEntry.leaf(g.ops().frames().frames() << 12, false));
        assertThat(rules(g)).contains(NestedRule.NESTED_MAPPING_UNOWNED.id());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("two guest frames on one host frame are host-frame-aliased")
    void findsAliasedHostFrame(PagingMode mode) {
        NestedGuest g = NestedGuest.boot(mode);
        long gpa = mappedGpa(g);
        long[] refs = new long[1];
        long host = g.ops().table().translate(gpa, refs);
        g.ops().table().map(gpa + 0x1000);
        g.ops().table().poke(gpa + 0x1000, 1, EptEntry.leaf(host, false));
        assertThat(rules(g)).contains(NestedRule.HOST_FRAME_ALIASED.id());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("write without read is an ept-misconfiguration")
    void findsMisconfiguration(PagingMode mode) {
        NestedGuest g = NestedGuest.boot(mode);
        long gpa = mappedGpa(g);
        long host = g.ops().table().translate(gpa, new long[1]);
        g.ops().table().poke(gpa, 1, (EptEntry.leaf(host, false) & ~EptEntry.READ));
        assertThat(rules(g)).contains(NestedRule.EPT_MISCONFIGURATION.id());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a table entry to a frame that is no nested table is nested-table-unowned")
    void findsTableEntryToForeignFrame(PagingMode mode) {
        NestedGuest g = NestedGuest.boot(mode);
        g.ops().table().poke(mappedGpa(g), 2, EptEntry.table(0x7000));
        assertThat(rules(g)).contains(NestedRule.NESTED_TABLE_UNOWNED.id());
    }
}
