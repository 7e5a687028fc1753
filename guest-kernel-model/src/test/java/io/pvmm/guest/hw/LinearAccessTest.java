package io.pvmm.guest.hw;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.Guests;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.mm.Vma;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.Mockito;

@DisplayName("the vCPU's access path: TLB, walk, accessed and dirty bits")
class LinearAccessTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);
    private static final long HEAP = 0x4000_0000L;

    private static Map<String, Long> tlb(GuestKernel k) {
        return k.machine().tlbs().totals();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a second access to a page hits the TLB; the first walks 2 entries in 2-level mode and 3 in PAE")
    void secondAccessHits(PagingMode mode) {
        GuestKernel k = Guests.boot(mode, SMALL).kernel();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 20, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        long walks = tlb(k).get("walks");
        long refs = tlb(k).get("walk-references");

        assertThat(p.touch(1, HEAP + 8, true)).isEqualTo(Outcome.OK);
        assertThat(tlb(k).get("walks")).as("no walk for a hit").isEqualTo(walks);

        assertThat(p.touch(1, HEAP + 0x1000, false)).isEqualTo(Outcome.OK); // not mapped: walk, fault, walk
        assertThat(tlb(k).get("walks")).isEqualTo(walks + 2);
        assertThat(tlb(k).get("walk-references") - refs).isEqualTo(mode == PagingMode.PAE ? 6 : 4);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("the walk sets the accessed bit the child's copied pte lacks, and tells the backend once, through pteUpdate by default")
    void walkSetsAccessedBit(PagingMode mode) {
        Guests.Spied booted = Guests.spied(mode, SMALL);
        GuestKernel k = booted.kernel();
        ParavirtOps spy = booted.spy();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 20, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, HEAP, true);
        p.fork(1, 2);
        long child = p.task(2).mm().pgd();
        assertThat(Guests.pte(k, child, HEAP) & EntryBits.ACCESSED).as("fork copies ptes old").isZero();
        Mockito.clearInvocations(spy);

        assertThat(p.touch(2, HEAP, false)).isEqualTo(Outcome.OK);
        assertThat(p.touch(2, HEAP + 4, false)).isEqualTo(Outcome.OK);

        assertThat(Guests.pte(k, child, HEAP) & EntryBits.ACCESSED).isNotZero();
        assertThat(Guests.pte(k, child, HEAP) & EntryBits.DIRTY).as("a read leaves D as it was").isNotZero();
        Mockito.verify(spy, Mockito.times(1)).accessedDirtySet(Mockito.eq(child), Mockito.eq(HEAP), Mockito.anyLong(), Mockito.eq(1));
        // the SPI's default hands the update to pteUpdate, which a shadow pager resynchronises on
        Mockito.verify(spy, Mockito.times(1)).pteUpdate(Mockito.eq(child), Mockito.eq(HEAP), Mockito.anyLong());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a write through a writable clean pte sets its dirty bit without a page fault")
    void writeSetsDirtyBitWithoutFault(PagingMode mode) {
        GuestKernel k = Guests.boot(mode, SMALL).kernel();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, 1 << 20, Vma.READ | Vma.WRITE | Vma.SHARED, 7, 0);
        p.touch(1, HEAP, false); // a shared file page, mapped writable and clean
        long root = p.task(1).mm().pgd();
        long before = Guests.pte(k, root, HEAP);
        assertThat(before & (EntryBits.RW | EntryBits.DIRTY)).isEqualTo(EntryBits.RW);
        long faults = tlb(k).get("walks");

        assertThat(p.touch(1, HEAP, true)).isEqualTo(Outcome.OK);

        assertThat(Guests.pte(k, root, HEAP)).isEqualTo(before | EntryBits.DIRTY);
        assertThat(tlb(k).get("walks")).as("one walk, no fault and retry").isEqualTo(faults + 1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("skip-flush: after munmap the stale TLB entry still reaches the freed page, where a correct kernel faults")
    void skipFlushLeavesStaleEntry(PagingMode mode) {
        for (boolean bug : new boolean[] {false, true}) {
            GuestKernel k = Guests.boot(mode, bug ? SMALL.withBugs(Set.of(GuestBug.SKIP_FLUSH)) : SMALL).kernel();
            Processes p = Guests.startInit(k);
            p.mmap(1, HEAP, 4 << 12, Vma.READ | Vma.WRITE, 0, 0);
            p.touch(1, HEAP, true);
            p.munmap(1, HEAP, 4 << 12);

            assertThat(TlbCoherence.staleEntries(k.machine().tlbs(), k.mmu(), 10))
                    .as("stale entries, bug %s", bug).hasSize(bug ? 1 : 0);
            assertThat(p.touch(1, HEAP, false)).as("the access after munmap, bug %s", bug)
                    .isEqualTo(bug ? Outcome.OK : Outcome.EFAULT);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("a vmalloc page's global entry survives the CR3 writes of a process switch with PGE, and is walked again without")
    void vmallocEntrySurvivesSwitchWithPge(PagingMode mode) {
        for (boolean pge : new boolean[] {true, false}) {
            GuestConfig config = GuestConfig.fromSettings(Map.of("memory-mib", "64", "pge", Boolean.toString(pge)));
            GuestKernel k = Guests.boot(mode, config).kernel();
            Processes p = Guests.startInit(k);
            long area = k.vmalloc().vmalloc(1);
            k.vmalloc().touch(p.task(1).mm().pgd(), area);
            p.idle(); // CR3: swapper_pg_dir
            p.schedule(1); // CR3: pid 1's root again
            long walks = tlb(k).get("walks");

            k.vmalloc().touch(p.task(1).mm().pgd(), area);

            assertThat(tlb(k).get("walks") - walks).as("walks after the switch, PGE %s", pge).isEqualTo(pge ? 0 : 1);
        }
    }
}
