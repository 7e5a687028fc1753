package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.Guests;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.arch.PageTables;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("PROT_NONE: ptes the hardware refuses that still hold their pages")
class ProtNoneTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);
    private static final long HEAP = 0x4000_0000L;
    private static final int PAGES = 4;

    @Test
    @DisplayName("a vma with no read, write or execute right gets PAGE_NONE: PROTNONE and ACCESSED, not present, not user, no NX")
    void pageNoneBits() {
        Vma none = Vma.of(HEAP, HEAP + 4096, 0, 0, 0);
        assertThat(none.pageProt()).isEqualTo(EntryBits.PROTNONE | EntryBits.ACCESSED).isEqualTo(0x0A0L);
        assertThat(none.pageProt() & EntryBits.PRESENT).isZero();
        Vma shared = Vma.of(HEAP, HEAP + 4096, Vma.SHARED, 0, 0);
        assertThat(shared.pageProt()).as("__S000 is PAGE_NONE too").isEqualTo(EntryBits.PAGE_NONE);
        assertThat(Vma.of(HEAP, HEAP + 4096, Vma.READ, 0, 0).pageProt() & EntryBits.PROTNONE)
                .as("a readable vma's pte is hardware-present and has no PROTNONE").isZero();
    }

    @Test
    @DisplayName("pte_present is PRESENT or PROTNONE; an empty pte or a bare frame is not present")
    void ptePresent() {
        assertThat(PageTables.ptePresent(0x1234_5000L | EntryBits.PRESENT)).isTrue();
        assertThat(PageTables.ptePresent(0x1234_5000L | EntryBits.PAGE_NONE)).isTrue();
        assertThat(PageTables.ptePresent(0)).isFalse();
        assertThat(PageTables.ptePresent(0x1234_5000L | EntryBits.ACCESSED | EntryBits.DIRTY)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("mprotect(PROT_NONE) of populated pages keeps each frame in a pte the MMU refuses; mprotect back maps the same frames")
    void mprotectNoneKeepsFrames(PagingMode mode) {
        GuestKernel k = Guests.boot(mode, SMALL).kernel();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, PAGES * 4096L, Vma.READ | Vma.WRITE, 0, 0);
        long root = p.task(1).mm().pgd();
        long[] frames = new long[PAGES];
        for (int i = 0; i < PAGES; i++) {
            assertThat(p.touch(1, HEAP + i * 4096L, true)).isEqualTo(Outcome.OK);
            frames[i] = k.mmu().translate(root, HEAP + i * 4096L).pfn();
        }

        assertThat(p.mprotect(1, HEAP, PAGES * 4096L, 0)).isEqualTo(Outcome.OK);
        for (int i = 0; i < PAGES; i++) {
            long va = HEAP + i * 4096L;
            long pte = Guests.pte(k, root, va);
            assertThat(pte & EntryBits.PRESENT).as("page %d is not hardware-present", i).isZero();
            assertThat(pte & EntryBits.PROTNONE).as("page %d carries PROTNONE", i).isNotZero();
            assertThat(k.tables().pfn(pte)).as("page %d keeps its frame", i).isEqualTo(frames[i]);
            assertThat(PageTables.ptePresent(pte)).isTrue();
            assertThat(k.mmu().translate(root, va)).as("the walker refuses page %d", i).isNull();
            assertThat(k.mmu().allows(root, va, Mmu.Access.USER_READ)).isFalse();
            assertThat(k.mmu().allows(root, va, Mmu.Access.KERNEL_READ)).isFalse();
            assertThat(k.pool().isFree(frames[i])).as("frame of page %d is still in use", i).isFalse();
        }
        assertThat(p.touch(1, HEAP, false)).as("a read of a PROT_NONE page kills the task").isEqualTo(Outcome.EFAULT);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("mprotect back to read-write after PROT_NONE maps the very same frames again, read-only until written")
    void mprotectBack(PagingMode mode) {
        GuestKernel k = Guests.boot(mode, SMALL).kernel();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, PAGES * 4096L, Vma.READ | Vma.WRITE, 0, 0);
        long root = p.task(1).mm().pgd();
        p.touch(1, HEAP, true);
        long frame = k.mmu().translate(root, HEAP).pfn();
        p.mprotect(1, HEAP, PAGES * 4096L, 0);
        assertThat(p.mprotect(1, HEAP, PAGES * 4096L, Vma.READ | Vma.WRITE)).isEqualTo(Outcome.OK);
        Mmu.Translation t = k.mmu().translate(root, HEAP);
        assertThat(t).isNotNull();
        assertThat(t.pfn()).isEqualTo(frame);
        assertThat(t.user()).isTrue();
        assertThat(PageTables.ptePresent(Guests.pte(k, root, HEAP + 4096))).as("an untouched page stays empty").isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("PROT_NONE pages are freed when the process exits, and a fork's child shares them and frees its share too")
    void protNonePagesAreFreed(PagingMode mode) {
        Guests.Booted g = Guests.boot(mode, SMALL);
        GuestKernel k = g.kernel();
        Processes p = Guests.startInit(k);
        p.mmap(1, HEAP, PAGES * 4096L, Vma.READ | Vma.WRITE, 0, 0);
        long root = p.task(1).mm().pgd();
        long[] frames = new long[PAGES];
        for (int i = 0; i < PAGES; i++) {
            p.touch(1, HEAP + i * 4096L, true);
            frames[i] = k.mmu().translate(root, HEAP + i * 4096L).pfn();
        }
        p.mprotect(1, HEAP, PAGES * 4096L, 0);

        assertThat(p.fork(1, 2)).isEqualTo(Outcome.OK);
        long childRoot = p.task(2).mm().pgd();
        for (int i = 0; i < PAGES; i++) {
            long pte = Guests.pte(k, childRoot, HEAP + i * 4096L);
            assertThat(PageTables.ptePresent(pte)).as("the child inherits PROT_NONE page %d", i).isTrue();
            assertThat(k.tables().pfn(pte)).isEqualTo(frames[i]);
            assertThat(pte & EntryBits.PRESENT).isZero();
        }
        assertThat(p.task(2).mm().rss().get()).isEqualTo(p.task(1).mm().rss().get());

        assertThat(p.exit(1)).isEqualTo(Outcome.OK);
        for (long f : frames) {
            assertThat(k.pool().isFree(f)).as("the child still holds frame 0x%x", f).isFalse();
        }
        assertThat(p.exit(2)).isEqualTo(Outcome.OK);
        p.idle();
        k.pgTable().shrinkCaches();
        for (long f : frames) {
            assertThat(k.pool().isFree(f)).as("frame 0x%x is back in the pool", f).isTrue();
        }
        assertThat(k.pool().freePages()).as("nothing leaks").isEqualTo(k.bootFreePages());
    }
}
