package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code makeEntry} and {@code entryValue}: the guest's view of an entry survives the backend's. */
abstract class EntryRules extends KitRules {

    /** The flag combinations the kernel writes. */
    private static final List<Long> FLAGS = List.of(EntryBits.PAGE_TABLE, EntryBits.KERNPG_TABLE, EntryBits.PAGE_KERNEL,
            EntryBits.PAGE_KERNEL_EXEC, EntryBits.PAGE_KERNEL_RO, EntryBits.PAGE_KERNEL_NOCACHE, EntryBits.PAGE_SHARED,
            EntryBits.PAGE_READONLY, EntryBits.PAGE_READONLY | EntryBits.NX, EntryBits.PRESENT);

    EntryRules(Supplier<BackendUnderTest> backend) {
        super(backend);
    }

    @Test
    @DisplayName("turns every present entry the guest makes back into the same entry: entryValue(makeEntry(e)) == e")
    void makeEntryAndEntryValueAreInverses() {
        for (PagingMode mode : modes()) {
            BackendUnderTest.Booted booted = backend().boot(mode, KitRules.GUEST);
            ParavirtOps ops = booted.ops();
            GuestLayout layout = booted.kernel().layout();
            long supported = mode == PagingMode.PAE ? ~0L : ~EntryBits.NX;
            long step = Math.max(1, layout.maxPfn() / 509);
            for (long pfn = 0; pfn < layout.maxPfn(); pfn += step) {
                for (long flags : FLAGS) {
                    long entry = mode.makeEntry(pfn, flags & supported);
                    assertThat(ops.entryValue(ops.makeEntry(entry)))
                            .as("entryValue(makeEntry(0x%x)) in %s mode", entry, mode.configName()).isEqualTo(entry);
                }
            }
        }
    }

    @Test
    @DisplayName("reads an empty entry as empty: entryValue(0) == 0")
    void readsAnEmptyEntryAsEmpty() {
        for (PagingMode mode : modes()) {
            assertThat(backend().boot(mode, KitRules.GUEST).ops().entryValue(0))
                    .as("entryValue(0) in %s mode: the guest tests pmd_none on it", mode.configName()).isZero();
        }
    }
}
