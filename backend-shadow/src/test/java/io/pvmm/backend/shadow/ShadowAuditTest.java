package io.pvmm.backend.shadow;

import static io.pvmm.backend.shadow.ShadowGuest.HEAP;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.kernel.Processes.Outcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The audit finds each broken invariant, named by its rule, and nothing on a healthy guest. */
class ShadowAuditTest {

    private static ShadowGuest touched(PagingMode mode) {
        ShadowGuest g = new ShadowGuest(mode, Map.of());
        assertThat(g.p.touch(1, HEAP, true)).isEqualTo(Outcome.OK);
        assertThat(g.ops.audit()).isEmpty();
        return g;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a shadow entry that differs from the guest's, translated, is a shadow-mismatch")
    void findsShadowMismatch(PagingMode mode) {
        ShadowGuest g = touched(mode);
        long ptePage = g.ptePage(g.root(1), HEAP);
        Shadow l1 = g.pager().tableOf(ptePage);
        int index = mode.pteIndex(HEAP);
        l1.set(index, l1.get(index) ^ 0x2); // the RW bit, flipped behind the guest's back

        List<Finding> findings = g.ops.audit();

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo(ShadowRule.SHADOW_MISMATCH.id());
            assertThat(f.pfn()).isEqualTo(ptePage);
            assertThat(f.index()).isEqualTo(index);
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a shadowed table whose stores no longer trap is table-not-protected")
    void findsUnprotectedTable(PagingMode mode) {
        ShadowGuest g = touched(mode);
        long ptePage = g.ptePage(g.root(1), HEAP);
        g.kernel.physicalMemory().traps().unprotect(ptePage);

        assertThat(g.ops.audit()).extracting(Finding::ruleId, Finding::pfn)
                .containsExactly(org.assertj.core.api.Assertions.tuple(ShadowRule.TABLE_NOT_PROTECTED.id(), ptePage));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("an unprotected table lets a store past the shadow, which the audit then finds")
    void unprotectedStoreIsMissed(PagingMode mode) {
        ShadowGuest g = touched(mode);
        long ptePage = g.ptePage(g.root(1), HEAP);
        g.kernel.physicalMemory().traps().unprotect(ptePage);
        g.kernel.physicalMemory().writeEntry(ptePage, mode.pteIndex(HEAP), 0); // a store the monitor never sees

        assertThat(g.ops.audit()).extracting(Finding::ruleId)
                .contains(ShadowRule.TABLE_NOT_PROTECTED.id(), ShadowRule.SHADOW_MISMATCH.id());
    }
}
