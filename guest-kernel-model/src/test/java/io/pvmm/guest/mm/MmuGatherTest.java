package io.pvmm.guest.mm;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.Guests;
import io.pvmm.guest.arch.Paravirt;
import io.pvmm.guest.arch.Smp;
import io.pvmm.guest.hw.Apic;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.memory.AllocFailures;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.Gfp;
import io.pvmm.guest.memory.PageFrames;
import io.pvmm.guest.hw.PhysicalMemory;
import io.pvmm.guest.observe.Hook;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

@DisplayName("mmu_gather: tlb_flush is flush_tlb_mm, a local flush_tlb_user only where the mm is loaded")
class MmuGatherTest {

    private static final int FRAMES = 64;

    private final ParavirtOps ops = Mockito.mock(ParavirtOps.class);
    private final PhysicalMemory memory = new PhysicalMemory(PagingMode.TWO_LEVEL, FRAMES);
    private final PageFrames pages = new PageFrames(FRAMES);
    private final FreePool pool = new FreePool(memory, pages, FRAMES, 2, VcpuThread::currentId, AllocFailures.NONE);
    private final Paravirt pv = new Paravirt(ops, memory);
    private final Cpus cpus = new Cpus(2);
    private final MmStruct mm = new MmStruct(0x1000);

    /** A mapped page (one reference) gathered by a partial unmap of {@link #mm}; the gather is flushed. */
    private long gatherAndFlush() {
        for (long pfn = 8; pfn < FRAMES; pfn++) {
            pool.addBootPage(pfn);
        }
        long page = pool.alloc(Gfp.HIGHUSER);
        pages.get(page);
        MmuGather tlb = gather(cpus, mm, false);
        tlb.noteUnmapped();
        tlb.removePage(page);
        tlb.finish();
        return page;
    }

    @Test
    @DisplayName("the mm loaded on the calling CPU: one flush_tlb_user, then the page is freed")
    void loadedHere() {
        cpus.current().setActiveMm(mm);
        long page = gatherAndFlush();
        Mockito.verify(ops).flushTlbUser();
        assertThat(pool.isFree(page)).isTrue();
    }

    @Test
    @DisplayName("the mm loaded nowhere (exec's old mm, a failed fork's child): no flush_tlb_user, the page is freed all the same")
    void loadedNowhere() {
        cpus.current().setActiveMm(new MmStruct(0x2000));
        long page = gatherAndFlush();
        Mockito.verify(ops, Mockito.never()).flushTlbUser();
        assertThat(pool.isFree(page)).isTrue();
    }

    @Test
    @DisplayName("flush_tlb_mm with the mm loaded only on another CPU: no local flush_tlb_user (that CPU flushes itself when it takes the IPI)")
    void loadedElsewhere() {
        cpus.get(1).setActiveMm(mm);
        long page = gatherAndFlush();
        Mockito.verify(ops, Mockito.never()).flushTlbUser();
        assertThat(pool.isFree(page)).isTrue();
    }

    /** One process's munmap of a lone page: its pte page is released; records the order of events at the call site. */
    private static List<String> munmapOrder(int vcpus) {
        java.util.concurrent.atomic.AtomicReference<io.pvmm.guest.kernel.GuestKernel> kernel = new java.util.concurrent.atomic.AtomicReference<>();
        List<String> events = new ArrayList<>();
        long[] released = {-1};
        ParavirtOps[] spy = new ParavirtOps[1];
        Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, GuestConfig.DEFAULTS.withMemoryMib(64).withVcpus(vcpus),
                io.pvmm.api.PlatformRequirements.NONE, o -> spy[0] = Mockito.spy(o));
        kernel.set(g.kernel());
        Processes p = Guests.startInit(g.kernel());
        long heap = 0x4000_0000L;
        p.mmap(1, heap, 4096, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, heap, true);
        Mockito.doAnswer(inv -> {
            released[0] = inv.getArgument(0);
            events.add("release_pt");
            inv.callRealMethod();
            return null;
        }).when(spy[0]).releasePt(Mockito.anyLong());
        Mockito.doAnswer(inv -> {
            events.add(released[0] >= 0 && kernel.get().pool().isFree(released[0]) ? "flush, the pte page free" : "flush, the pte page held");
            inv.callRealMethod();
            return null;
        }).when(spy[0]).flushTlbUser();
        assertThat(p.munmap(1, heap, 4096)).isEqualTo(Outcome.OK);
        events.add(kernel.get().pool().isFree(released[0]) ? "after: free" : "after: held");
        return events;
    }

    @Test
    @DisplayName("tlb_gather_mmu with one CPU online is fast mode: __pte_free_tlb's release_pt, then the pte page is free, then the flush")
    void fastModeOnOneCpu() {
        assertThat(munmapOrder(1)).containsExactly("release_pt", "flush, the pte page free", "after: free");
    }

    @Test
    @DisplayName("tlb_gather_mmu with two CPUs online batches: release_pt, then the flush with the pte page still held, then the free")
    void batchesOnTwoCpus() {
        assertThat(munmapOrder(2)).containsExactly("release_pt", "flush, the pte page held", "after: free");
    }

    @Test
    @DisplayName("unmap_vmas restarts the gather every ZAP_BLOCK_SIZE: 1024 present ptes, then tlb_finish_mmu flushes and tlb_gather_mmu begins anew")
    void zapBlockRestart() {
        Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, GuestConfig.DEFAULTS.withMemoryMib(64));
        Processes p = Guests.startInit(g.kernel());
        long heap = 0x4000_0000L;
        int pages = 1024 + 10;
        p.mmap(1, heap, pages * 4096L, Vma.READ | Vma.WRITE, 0, 0);
        for (int i = 0; i < pages; i++) {
            p.touch(1, heap + i * 4096L, true);
        }
        long flushes = g.counts().count(Hook.flushTlbUser);
        assertThat(p.munmap(1, heap, pages * 4096L)).isEqualTo(Outcome.OK);
        // 1034 present ptes: the first 1024 spend ZAP_BLOCK_SIZE, so the gather is finished (one flush)
        // and restarted; the last 10 and free_pgtables end in tlb_finish_mmu (a second flush)
        assertThat(g.counts().count(Hook.flushTlbUser) - flushes).isEqualTo(2);
        assertThat(Teardown.ZAP_BLOCK_SIZE).isEqualTo(1024L * 4096);
    }

    @Test
    @DisplayName("exec in a forked child tears its old mm down after switching to the new one: the teardown frees the pte pages with no flush_tlb_user")
    void execTeardownFlushesNothingLocally() {
        Guests.Booted g = Guests.boot(PagingMode.TWO_LEVEL, GuestConfig.DEFAULTS.withMemoryMib(64));
        Processes p = g.kernel().processes();
        p.spawnKernelThread(1);
        assertThat(p.exec(1, ExecImage.DEFAULT)).isEqualTo(Outcome.OK);
        assertThat(p.fork(1, 2)).isEqualTo(Outcome.OK);
        assertThat(p.touch(2, Mmap.TASK_SIZE - 4096, true)).as("the child runs, its mm loaded").isEqualTo(Outcome.OK);
        long flushes = g.counts().count(Hook.flushTlbUser);
        long released = g.counts().count(Hook.releasePt);
        int oldPtePages = Guests.userPtePages(g.kernel(), p.task(2).mm().pgd()).size();

        assertThat(p.exec(2, ExecImage.DEFAULT)).isEqualTo(Outcome.OK);

        assertThat(oldPtePages).as("pte pages of the child's old mm").isPositive();
        assertThat(g.counts().count(Hook.releasePt) - released).as("the old mm's pte pages were released, each of them")
                .isEqualTo(oldPtePages);
        assertThat(g.counts().count(Hook.flushTlbUser)).as("flush_tlb_mm(old mm) with the new mm active").isEqualTo(flushes);

        long exitFlushes = g.counts().count(Hook.flushTlbUser);
        assertThat(p.exit(2)).isEqualTo(Outcome.OK);
        assertThat(g.counts().count(Hook.flushTlbUser)).as("exit tears down the mm loaded here: one flush")
                .isEqualTo(exitFlushes + 1);
    }

    /** {@code tlb_gather_mmu} on these CPUs, its flush {@code flush_tlb_mm} of an SMP build when there are several. */
    private MmuGather gather(Cpus on, MmStruct target, boolean fullmm) {
        return new MmuGather(new Smp(pv, on, new Apic(on.count(), VcpuThread::currentId), 0, true), pool, pages, on, target, fullmm);
    }
}
