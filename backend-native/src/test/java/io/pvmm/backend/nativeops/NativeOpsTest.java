package io.pvmm.backend.nativeops;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendContext;
import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("The native backend")
class NativeOpsTest {

    private static final long FRAMES = 64;
    private static final long PTE_PFN = 5;
    private static final long PMD_PFN = 6;
    private static final long PGD_PFN = 7;
    private static final long MM = PGD_PFN << PagingMode.PAGE_SHIFT;

    private static ParavirtOps create(GuestMemory memory) {
        return new NativeProvider().create(new BackendContext() {
            @Override
            public GuestMemory memory() {
                return memory;
            }
        });
    }

    /** The physical address of entry {@code index} of frame {@code pfn}. */
    private static long entry(PagingMode mode, long pfn, int index) {
        return (pfn << PagingMode.PAGE_SHIFT) + (long) index * mode.entryBytes();
    }

    /** A present entry pointing to {@code pfn}; in PAE mode it carries NX, bit 63, to prove all 64 bits are kept. */
    private static long value(PagingMode mode, long pfn) {
        long flags = mode == PagingMode.PAE ? EntryBits.PAGE_TABLE | EntryBits.NX : EntryBits.PAGE_TABLE;
        return mode.makeEntry(pfn, flags);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("stores every page-table write at the entry's address")
    void storesEveryWrite(PagingMode mode) {
        InMemoryGuestMemory memory = new InMemoryGuestMemory(mode, FRAMES);
        ParavirtOps ops = create(memory);

        ops.setPte(entry(mode, PTE_PFN, 0), value(mode, 20));
        ops.setPteAt(MM, 0x0804_8000L, entry(mode, PTE_PFN, 1), value(mode, 21));
        ops.setPteAtomic(entry(mode, PTE_PFN, 2), value(mode, 22));
        ops.setPmd(entry(mode, PMD_PFN, 0), value(mode, PTE_PFN));
        ops.setPgd(entry(mode, PGD_PFN, 3), mode.makeEntry(PMD_PFN, EntryBits.PRESENT));

        assertThat(memory.snapshot()).containsExactlyInAnyOrderEntriesOf(Map.of(
                entry(mode, PTE_PFN, 0), value(mode, 20),
                entry(mode, PTE_PFN, 1), value(mode, 21),
                entry(mode, PTE_PFN, 2), value(mode, 22),
                entry(mode, PMD_PFN, 0), value(mode, PTE_PFN),
                entry(mode, PGD_PFN, 3), mode.makeEntry(PMD_PFN, EntryBits.PRESENT)));
        if (mode == PagingMode.PAE) {
            assertThat(memory.readEntry(entry(mode, PTE_PFN, 0)) & EntryBits.NX).isEqualTo(EntryBits.NX);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("stores a zero for pteClear and pmdClear")
    void clearsStoreZero(PagingMode mode) {
        InMemoryGuestMemory memory = new InMemoryGuestMemory(mode, FRAMES);
        ParavirtOps ops = create(memory);
        ops.setPteAt(MM, 0x1000, entry(mode, PTE_PFN, 9), value(mode, 30));
        ops.setPmd(entry(mode, PMD_PFN, 4), value(mode, PTE_PFN));

        ops.pteClear(MM, 0x1000, entry(mode, PTE_PFN, 9));
        ops.pmdClear(entry(mode, PMD_PFN, 4));

        assertThat(memory.snapshot()).containsExactlyInAnyOrderEntriesOf(Map.of(
                entry(mode, PTE_PFN, 9), 0L,
                entry(mode, PMD_PFN, 4), 0L));
        assertThat(memory.stores()).isEqualTo(4);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("the five lifecycle hooks change nothing in memory")
    void lifecycleHooksChangeNothing(PagingMode mode) {
        InMemoryGuestMemory memory = new InMemoryGuestMemory(mode, FRAMES);
        ParavirtOps ops = create(memory);
        ops.setPmd(entry(mode, PGD_PFN, mode.userPtrsPerPgd()), value(mode, PTE_PFN));
        ops.setPte(entry(mode, PTE_PFN, 0), value(mode, 40));
        Map<Long, Long> before = memory.snapshot();
        int stores = memory.stores();

        Map<String, Consumer<ParavirtOps>> hooks = Map.of(
                "allocPt", o -> o.allocPt(PTE_PFN),
                "allocPd", o -> o.allocPd(PMD_PFN),
                "allocPdClone", o -> o.allocPdClone(PGD_PFN + 1, PGD_PFN, mode.userPtrsPerPgd(), mode.kernelPgdPtrs()),
                "releasePt", o -> o.releasePt(PTE_PFN),
                "releasePd", o -> o.releasePd(PMD_PFN));
        hooks.forEach((name, hook) -> {
            hook.accept(ops);
            assertThat(memory.snapshot()).as(name).isEqualTo(before);
        });
        assertThat(memory.stores()).isEqualTo(stores);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("counts nothing and its audit finds nothing")
    void noCountersNoFindings(PagingMode mode) {
        InMemoryGuestMemory memory = new InMemoryGuestMemory(mode, FRAMES);
        ParavirtOps ops = create(memory);
        ops.allocPt(PTE_PFN);
        ops.setPte(entry(mode, PTE_PFN, 0), value(mode, 50));
        ops.releasePt(PTE_PFN);

        assertThat(ops.counters()).isEmpty();
        assertThat(ops.audit()).isEmpty();
    }
}
