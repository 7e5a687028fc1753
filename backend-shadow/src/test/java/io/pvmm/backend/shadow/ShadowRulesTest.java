package io.pvmm.backend.shadow;

import static io.pvmm.backend.shadow.ShadowGuest.HEAP;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.memory.Gfp;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The shadow pager's rules, each on the real guest: what traps, what follows, what is dropped. */
class ShadowRulesTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a write to a protected pte page traps, and the shadow follows it")
    void pteWriteTrapsAndShadowFollows(PagingMode mode) {
        ShadowGuest g = new ShadowGuest(mode, Map.of());
        assertThat(g.p.touch(1, HEAP, true)).isEqualTo(Outcome.OK);
        long root = g.root(1);
        long ptePage = g.ptePage(root, HEAP);
        assertThat(g.pager().tableOf(ptePage)).as("linked from a cached root: shadowed").isNotNull();
        assertThat(g.isProtected(ptePage)).isTrue();
        long trapsBefore = g.counter("traps-pte-write");

        assertThat(g.p.touch(1, HEAP + 0x1000, true)).isEqualTo(Outcome.OK);

        assertThat(g.counter("traps-pte-write")).isEqualTo(trapsBefore + 1);
        long guest = g.pte(root, HEAP + 0x1000);
        assertThat(guest).isNotZero();
        assertThat(g.pager().shadowPte(root, HEAP + 0x1000)).isEqualTo(g.p2m.translate(guest)).isNotEqualTo(guest);
        assertThat(g.ops.audit()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a hidden fault syncs exactly one entry, and the guest never sees it")
    void hiddenFaultSyncsOneEntry(PagingMode mode) {
        ShadowGuest g = new ShadowGuest(mode, Map.of());
        for (int i = 0; i < 3; i++) {
            assertThat(g.p.touch(1, HEAP + 0x1000L * i, true)).isEqualTo(Outcome.OK);
        }
        assertThat(g.p.fork(1, 2)).isEqualTo(Outcome.OK);
        assertThat(g.p.schedule(2)).isTrue(); // CR3 load: the child's root is walked, its pte pages shadowed empty
        long child = g.root(2);
        Shadow l1 = g.pager().tableOf(g.ptePage(child, HEAP));
        assertThat(l1).isNotNull();
        assertThat(l1.synced()).isZero();
        long hidden = g.counter("hidden-faults");
        long synced = g.counter("entries-synced");
        long guestFaults = g.counter("guest-faults");
        long traps = g.counter("traps");

        assertThat(g.p.touch(2, HEAP + 0x1000, false)).isEqualTo(Outcome.OK);

        assertThat(g.counter("hidden-faults")).isEqualTo(hidden + 1);
        assertThat(g.counter("entries-synced")).isEqualTo(synced + 1);
        assertThat(g.counter("guest-faults")).as("the guest's tables map it: no fault for the guest").isEqualTo(guestFaults);
        assertThat(g.counter("traps")).as("a read stores nothing").isEqualTo(traps);
        assertThat(l1.synced()).isEqualTo(1);
        assertThat(g.pager().shadowPte(child, HEAP + 0x1000)).isEqualTo(g.p2m.translate(g.pte(child, HEAP + 0x1000)));
        assertThat(g.ops.audit()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("the cache limit evicts the least recently used root")
    void cacheLimitEvictsLeastRecentlyUsedRoot(PagingMode mode) {
        ShadowGuest g = new ShadowGuest(mode, Map.of(ShadowProvider.CACHE_ROOTS, "2"));
        long init = g.root(1);
        assertThat(g.p.fork(1, 2)).isEqualTo(Outcome.OK);
        assertThat(g.p.schedule(2)).isTrue();
        long b = g.root(2);
        assertThat(g.pager().cachedRoots()).containsExactly(init, b);
        assertThat(g.p.schedule(1)).isTrue(); // init is now the most recently used
        assertThat(g.p.fork(1, 3)).isEqualTo(Outcome.OK);
        long evictionsBefore = g.counter("cache-evictions");

        assertThat(g.p.schedule(3)).isTrue();

        long c = g.root(3);
        assertThat(g.pager().cachedRoots()).containsExactly(init, c);
        assertThat(g.pager().cachedRoot(b)).isNull();
        assertThat(g.counter("cache-evictions")).isEqualTo(evictionsBefore + 1);
        assertThat(g.counter("roots-cached")).isEqualTo(2);
        assertThat(g.ops.audit()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a freed table frame reused as a data page is unshadowed after two data writes (a 2-level root, a PAE pmd page)")
    void freedTableReusedAsDataIsUnshadowed(PagingMode mode) {
        ShadowGuest g = new ShadowGuest(mode, Map.of());
        assertThat(g.p.fork(1, 2)).isEqualTo(Outcome.OK);
        assertThat(g.p.schedule(2)).isTrue();
        assertThat(g.p.exit(2)).isEqualTo(Outcome.OK);
        g.kernel.shutdown(); // every task exits and the pgd cache shrinks: the roots' frames go back to the pool
        Set<Long> freedTables = new HashSet<>();
        for (Shadow s : g.pager().liveShadows()) {
            if (s.level() == Shadow.Level.L2 && g.kernel.physicalMemory().isFree(s.pfn())) {
                freedTables.add(s.pfn());
            }
        }
        assertThat(freedTables).as("exited address spaces' directories keep their shadows in the cache").isNotEmpty();
        long data = g.counter("traps-data-write");
        long unshadowed = g.counter("unshadowed-data");

        long page = -1;
        for (int i = 0; i < 256 && !freedTables.contains(page); i++) {
            page = g.kernel.pool().alloc(Gfp.KERNEL_ZERO); // get_zeroed_page: clear_page of the frame
        }

        assertThat(freedTables).contains(page);
        assertThat(g.counter("traps-data-write")).isEqualTo(data + ShadowPager.DATA_WRITES_TO_UNSHADOW);
        assertThat(g.counter("unshadowed-data")).isEqualTo(unshadowed + 1);
        assertThat(g.pager().tableOf(page)).isNull();
        assertThat(g.pager().cachedRoot(page << 12)).isNull();
        assertThat(g.isProtected(page)).isFalse();
        assertThat(g.kernel.physicalMemory().isMaterialised(page)).as("clear_page finished untrapped").isFalse();
        assertThat(g.ops.audit()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a pte page freed at exit is unshadowed and unprotected once no table links it")
    void unlinkedTableIsDropped(PagingMode mode) {
        ShadowGuest g = new ShadowGuest(mode, Map.of());
        assertThat(g.p.fork(1, 2)).isEqualTo(Outcome.OK);
        assertThat(g.p.touch(2, HEAP, true)).isEqualTo(Outcome.OK);
        long ptePage = g.ptePage(g.root(2), HEAP);
        assertThat(g.pager().tableOf(ptePage)).isNotNull();
        long unlinked = g.counter("unshadowed-unlinked");

        assertThat(g.p.exit(2)).isEqualTo(Outcome.OK);

        assertThat(g.pager().tableOf(ptePage)).isNull();
        assertThat(g.isProtected(ptePage)).isFalse();
        assertThat(g.counter("unshadowed-unlinked")).isGreaterThan(unlinked);
        assertThat(g.ops.audit()).isEmpty();
    }
}
