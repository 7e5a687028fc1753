package io.pvmm.guest.hw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.TrappedStore;
import io.pvmm.guest.Guests;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.mm.Vma;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.Mockito;

@DisplayName("write protection: stores into a protected frame trap to the backend")
class StoreTrapsTest {

    private static final long HEAP = 0x0800_0000L;

    @Test
    @DisplayName("a pte written through set_pte_at into a protected pte page traps with its frame, offset, value and vCPU")
    void paravirtWriteIntoProtectedFrameTraps() {
        Guests.Spied g = Guests.spied(PagingMode.TWO_LEVEL, GuestConfig.DEFAULTS);
        Processes p = Guests.startInit(g.kernel());
        p.mmap(1, HEAP, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        assertThat(p.touch(1, HEAP, true)).isEqualTo(Processes.Outcome.OK);
        long root = p.task(1).mm().pgd();
        PageTables t = g.kernel().tables();
        long ptePage = t.pfn(t.read(t.pmdEntryFor(root, HEAP)));
        verify(g.spy(), never()).storeTrapped(any());

        g.kernel().physicalMemory().traps().protect(ptePage);
        assertThat(p.touch(1, HEAP + 0x1000, true)).isEqualTo(Processes.Outcome.OK);

        ArgumentCaptor<TrappedStore> c = ArgumentCaptor.forClass(TrappedStore.class);
        verify(g.spy()).storeTrapped(c.capture());
        TrappedStore s = c.getValue();
        assertThat(s.pfn()).isEqualTo(ptePage);
        assertThat(s.offset()).isEqualTo(4 * ((int) (HEAP >>> 12) + 1 & 1023));
        assertThat(s.value()).isEqualTo(Guests.pte(g.kernel(), root, HEAP + 0x1000)).isNotZero();
        assertThat(s.vcpu()).isZero();
        assertThat(s.kind()).isEqualTo(TrappedStore.Kind.ENTRY);
    }

    @Test
    @DisplayName("clear_page of a protected frame traps word by word until the backend unprotects it, then zeroes the rest")
    void clearPageTrapsUntilUnprotected() {
        PhysicalMemory m = new PhysicalMemory(PagingMode.PAE, 64);
        for (int i = 0; i < 512; i++) {
            m.writeEntry(5, i, 0x1000L * i + 0x67);
        }
        List<TrappedStore> seen = new ArrayList<>();
        ParavirtOps ops = Mockito.mock(ParavirtOps.class);
        Mockito.doAnswer(inv -> {
            TrappedStore s = inv.getArgument(0);
            seen.add(s);
            if (seen.size() == 2) {
                m.traps().unprotect(s.pfn());
            }
            return null;
        }).when(ops).storeTrapped(any());
        m.traps().attach(ops, () -> 1);
        m.traps().protect(5);

        m.traps().clearPage(5);

        assertThat(seen).containsExactly(new TrappedStore(5, 0, 0, 1, TrappedStore.Kind.BLOCK),
                new TrappedStore(5, 8, 0, 1, TrappedStore.Kind.BLOCK));
        assertThat(m.isMaterialised(5)).as("the rest zeroed at once").isFalse();
    }

    @Test
    @DisplayName("stores into frames nobody protects never trap")
    void unprotectedFramesNeverTrap() {
        Guests.Spied g = Guests.spied(PagingMode.PAE, GuestConfig.DEFAULTS);
        Processes p = Guests.startInit(g.kernel());
        assertThat(p.fork(1, 2)).isEqualTo(Processes.Outcome.OK);
        assertThat(p.exit(2)).isEqualTo(Processes.Outcome.OK);
        assertThat(g.kernel().physicalMemory().traps().traps(0)).isFalse();
        verify(g.spy(), never()).storeTrapped(any());
    }
}
