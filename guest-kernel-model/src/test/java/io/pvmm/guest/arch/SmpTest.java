package io.pvmm.guest.arch;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.Guests;
import io.pvmm.guest.Interleaving;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.hw.Apic;
import io.pvmm.guest.hw.VcpuThread;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.kernel.Processes.Outcome;
import io.pvmm.guest.mm.Cpus;
import io.pvmm.guest.mm.MmStruct;
import io.pvmm.guest.mm.Vma;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

@DisplayName("smp.c: TLB flushes reach the other vCPUs by IPI, each taken and flushed on its own vCPU")
class SmpTest {

    private static final long WAIT = TimeUnit.SECONDS.toNanos(30);
    private static final long HEAP = 0x4000_0000L;

    /** A hook call as the backend saw it: which hook, on which vCPU, its argument. */
    private record Seen(String hook, int cpu, long arg) {
    }

    /** A two-vCPU guest whose backend records the flushes and CR3 writes with the vCPU each came from. */
    private static final class Guest {
        final GuestKernel k;
        final List<Seen> seen = new CopyOnWriteArrayList<>();
        final AtomicBoolean recording = new AtomicBoolean();

        Guest(GuestConfig config) {
            ParavirtOps[] spy = new ParavirtOps[1];
            this.k = Guests.boot(PagingMode.TWO_LEVEL, config, PlatformRequirements.NONE, o -> spy[0] = Mockito.spy(o)).kernel();
            ParavirtOps s = spy[0];
            Mockito.doAnswer(inv -> note("flushTlbUser", 0, inv)).when(s).flushTlbUser();
            Mockito.doAnswer(inv -> note("flushTlbKernel", 0, inv)).when(s).flushTlbKernel();
            Mockito.doAnswer(inv -> note("flushTlbSingle", inv.getArgument(0), inv)).when(s).flushTlbSingle(Mockito.anyLong());
            Mockito.doAnswer(inv -> note("writeCr3", inv.getArgument(0), inv)).when(s).writeCr3(Mockito.anyLong());
        }

        private Object note(String hook, long arg, org.mockito.invocation.InvocationOnMock inv) throws Throwable {
            if (recording.get()) {
                seen.add(new Seen(hook, VcpuThread.currentId(), arg)); // the backend's currentCpu()
            }
            return inv.callRealMethod();
        }

        List<Seen> seen(String hook) {
            return seen.stream().filter(s -> s.hook().equals(hook)).toList();
        }

        Processes p() {
            return k.processes();
        }

        long swapper() {
            return k.layout().swapperPgDir();
        }

        List<Map<String, Long>> ipis() {
            return k.machine().apic().counters();
        }
    }

    /**
     * Runs {@code zero} on vCPU 0 and {@code one} on vCPU 1, as real threads, and rethrows what either
     * threw.
     */
    private static void onTwoVcpus(Runnable zero, Runnable one) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        Runnable[] bodies = {zero, one};
        for (int cpu = 0; cpu < 2; cpu++) {
            Runnable body = bodies[cpu];
            threads.add(new VcpuThread(cpu, "vcpu-" + cpu, () -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        threads.forEach(t -> t.setDaemon(true));
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(TimeUnit.NANOSECONDS.toMillis(2 * WAIT));
            assertThat(t.isAlive()).as("%s finished", t.getName()).isFalse();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    /** Waits, as a vCPU does, taking its IPIs. */
    private static void idleUntil(AtomicBoolean flag) {
        assertThat(Apic.idleUntil(flag::get, WAIT)).as("waited for the other vCPU").isTrue();
    }

    private static GuestConfig withoutPge(GuestConfig d) {
        return new GuestConfig(d.memoryMib(), d.pse(), false, d.vcpus(), d.seed(), d.failAllocAt(), d.failAllocProbability(),
                d.bugs(), d.tlb(), d.kernel());
    }

    /** pid 1 is a process on vCPU 0; its thread 2 shares the mm. */
    private static MmStruct processWithThread(Guest g) {
        g.p().spawnKernelThread(1);
        assertThat(g.p().exec(1, ExecImage.DEFAULT)).isEqualTo(Outcome.OK);
        assertThat(g.p().cloneThread(1, 2)).isEqualTo(Outcome.OK);
        return g.p().task(1).mm();
    }

    @Test
    @DisplayName("flush_tlb_mm with the mm loaded on both vCPUs: one flush_tlb_user per vCPU, each on its own vCPU, by one IPI")
    void flushTlbMmReachesEveryVcpuThatHasTheMm() throws InterruptedException {
        Guest g = new Guest(GuestConfig.DEFAULTS.withVcpus(2));
        AtomicBoolean loaded = new AtomicBoolean();
        AtomicBoolean flushed = new AtomicBoolean();
        MmStruct[] mm = new MmStruct[1];
        AtomicBoolean created = new AtomicBoolean();
        onTwoVcpus(() -> {
            mm[0] = processWithThread(g);
            created.set(true);
            idleUntil(loaded);
            g.recording.set(true);
            g.k.smp().flushTlbMm(mm[0]);
            g.recording.set(false);
            flushed.set(true);
        }, () -> {
            idleUntil(created);
            assertThat(g.p().schedule(2)).isTrue(); // switch_mm: cpu_set(1, mm->cpu_vm_mask)
            loaded.set(true);
            idleUntil(flushed); // takes the IPI while it waits
        });

        assertThat(g.seen("flushTlbUser")).extracting(Seen::cpu).containsExactlyInAnyOrder(0, 1);
        assertThat(mm[0].cpuVmMask()).as("cpu_vm_mask").isEqualTo(0b11);
        assertThat(g.ipis().get(0)).containsEntry("ipis-sent", 1L);
        assertThat(g.ipis().get(1)).containsEntry("ipis-received", 1L);
        assertThat(g.k.machine().tlbs().get(1).counters().asMap()).containsEntry("shootdowns", 1L);
    }

    @Test
    @DisplayName("flush_tlb_page with the mm loaded on both vCPUs: flush_tlb_single of the page on each")
    void flushTlbPageReachesEveryVcpuThatHasTheMm() throws InterruptedException {
        Guest g = new Guest(GuestConfig.DEFAULTS.withVcpus(2));
        AtomicBoolean loaded = new AtomicBoolean();
        AtomicBoolean flushed = new AtomicBoolean();
        AtomicBoolean created = new AtomicBoolean();
        onTwoVcpus(() -> {
            MmStruct mm = processWithThread(g);
            created.set(true);
            idleUntil(loaded);
            g.recording.set(true);
            g.k.smp().flushTlbPage(mm, HEAP);
            g.recording.set(false);
            flushed.set(true);
        }, () -> {
            idleUntil(created);
            g.p().schedule(2);
            loaded.set(true);
            idleUntil(flushed);
        });

        assertThat(g.seen("flushTlbSingle")).containsExactlyInAnyOrder(new Seen("flushTlbSingle", 0, HEAP),
                new Seen("flushTlbSingle", 1, HEAP));
        assertThat(g.seen("flushTlbUser")).isEmpty();
    }

    @Test
    @DisplayName("smp_invalidate_interrupt on a lazy vCPU (its task exited): leave_mm, a write_cr3 of swapper_pg_dir, and it leaves cpu_vm_mask")
    void lazyVcpuLeavesTheMm() throws InterruptedException {
        Guest g = new Guest(GuestConfig.DEFAULTS.withVcpus(2));
        AtomicBoolean lazy = new AtomicBoolean();
        AtomicBoolean flushed = new AtomicBoolean();
        AtomicBoolean created = new AtomicBoolean();
        MmStruct[] mm = new MmStruct[1];
        Cpus.TlbState[] state = new Cpus.TlbState[1];
        onTwoVcpus(() -> {
            mm[0] = processWithThread(g);
            created.set(true);
            idleUntil(lazy);
            g.recording.set(true);
            g.k.smp().flushTlbMm(mm[0]);
            g.recording.set(false);
            flushed.set(true);
        }, () -> {
            idleUntil(created);
            g.p().schedule(2);
            g.p().exit(2); // exit_mm: enter_lazy_tlb, the CPU keeps the mm loaded
            state[0] = g.k.cpus().current().tlbState();
            lazy.set(true);
            idleUntil(flushed);
        });

        assertThat(state[0]).isEqualTo(Cpus.TlbState.LAZY);
        assertThat(g.seen).filteredOn(s -> s.cpu() == 1).containsExactly(new Seen("writeCr3", 1, g.swapper()));
        assertThat(g.seen).filteredOn(s -> s.cpu() == 0).containsExactly(new Seen("flushTlbUser", 0, 0));
        assertThat(mm[0].cpuVmMask()).as("cpu_vm_mask after leave_mm").isEqualTo(0b01);
        assertThat(g.k.machine().tlbs().get(1).cr3()).isEqualTo(g.swapper());
    }

    @Test
    @DisplayName("flush_tlb_all (on_each_cpu(do_flush_tlb_all)): every vCPU flushes its own TLB, flush_tlb_kernel with PGE")
    void flushTlbAllFlushesEveryVcpu() throws InterruptedException {
        Guest g = new Guest(GuestConfig.DEFAULTS.withVcpus(2));
        AtomicBoolean online = new AtomicBoolean();
        AtomicBoolean flushed = new AtomicBoolean();
        onTwoVcpus(() -> {
            g.k.smp().interruptsEnabled();
            idleUntil(online);
            g.recording.set(true);
            g.k.smp().flushTlbAll();
            g.recording.set(false);
            flushed.set(true);
        }, () -> {
            g.k.smp().interruptsEnabled(); // vCPU 1 comes online
            online.set(true);
            idleUntil(flushed);
        });

        assertThat(g.seen).containsExactlyInAnyOrder(new Seen("flushTlbKernel", 0, 0), new Seen("flushTlbKernel", 1, 0));
        assertThat(g.ipis().get(0)).containsEntry("ipis-sent", 1L);
        assertThat(g.ipis().get(1)).containsEntry("ipis-received", 1L);
    }

    @Test
    @DisplayName("__flush_tlb_all without PGE is __flush_tlb: vfree's flush_tlb_kernel_range is a flush_tlb_user")
    void withoutPgeKernelFlushIsFlushTlbUser() {
        Guest g = new Guest(withoutPge(GuestConfig.DEFAULTS));
        long area = g.k.vmalloc().vmalloc(2);
        g.recording.set(true);
        g.k.vmalloc().vfree(area);
        g.recording.set(false);

        assertThat(g.seen).containsExactly(new Seen("flushTlbUser", 0, 0));
        assertThat(g.ipis().get(0)).containsEntry("ipis-sent", 0L).containsEntry("ipis-received", 0L);
    }

    @Test
    @DisplayName("flush_tlb_mm on one vCPU is the UP inline: a flush_tlb_user if the mm is loaded, no IPI, no leave_mm after exit")
    void upBuildHasNoIpisAndNoLeaveMm() {
        Guest g = new Guest(GuestConfig.DEFAULTS);
        MmStruct mm = processWithThread(g);
        g.p().exit(2);
        g.recording.set(true);
        g.k.smp().flushTlbMm(mm);
        g.recording.set(false);

        assertThat(g.k.smp().smp()).isFalse();
        assertThat(g.seen).containsExactly(new Seen("flushTlbUser", 0, 0));
        assertThat(g.ipis().get(0)).containsEntry("ipis-sent", 0L);
    }

    @Test
    @DisplayName("exit_mmap's flush_tlb_mm after exit_mm: SMP does leave_mm (a write_cr3 of swapper_pg_dir, out of cpu_vm_mask), UP flushes (flush_tlb_user)")
    void exitTeardownLeavesTheMmOnSmp() {
        for (int vcpus : new int[] {1, 2}) {
            Guest g = new Guest(GuestConfig.DEFAULTS.withVcpus(vcpus));
            g.p().spawnKernelThread(1);
            assertThat(g.p().exec(1, ExecImage.DEFAULT)).isEqualTo(Outcome.OK);
            assertThat(g.p().touch(1, ExecImage.TEXT_START, false)).isEqualTo(Outcome.OK);
            MmStruct mm = g.p().task(1).mm();
            g.recording.set(true);
            assertThat(g.p().exit(1)).isEqualTo(Outcome.OK); // the last user: exit_mm, then exit_mmap
            g.recording.set(false);
            if (vcpus == 1) {
                assertThat(g.seen).as("UP").containsExactly(new Seen("flushTlbUser", 0, 0));
            } else {
                assertThat(g.seen).as("SMP").containsExactly(new Seen("writeCr3", 0, g.swapper()));
                assertThat(mm.cpuVmMask()).isZero();
                assertThat(g.k.cpus().current().activeMm()).as("the CPU still borrows the mm (mm_count)").isSameAs(mm);
            }
        }
    }

    @RepeatedTest(value = 3, name = "seed {currentRepetition}")
    @DisplayName("two vCPUs shooting each other down at once (mprotect's flush_tlb_range from each, the mm on both) both complete, and every IPI sent is taken")
    void mutualShootdownsComplete(RepetitionInfo rep) throws InterruptedException {
        Guest g = new Guest(GuestConfig.DEFAULTS.withVcpus(2).withSeed(rep.getCurrentRepetition()));
        int rounds = 40;
        Interleaving witness = new Interleaving(2, 2 * rounds);
        AtomicBoolean created = new AtomicBoolean();
        SplittableRandom seeds = new SplittableRandom(rep.getCurrentRepetition());
        SplittableRandom[] rnd = {seeds.split(), seeds.split()};
        long[] taken = new long[2];
        Runnable[] bodies = new Runnable[2];
        for (int cpu = 0; cpu < 2; cpu++) {
            int me = cpu;
            int pid = cpu + 1;
            long base = HEAP + cpu * 0x10_0000L;
            bodies[cpu] = () -> {
                if (me == 0) {
                    processWithThread(g);
                    created.set(true);
                } else {
                    idleUntil(created);
                }
                assertThat(g.p().mmap(pid, base, 16 << 12, Vma.READ | Vma.WRITE, 0, 0)).isEqualTo(base);
                witness.start();
                for (int i = 0; i < rounds; i++) {
                    if (i == rounds / 3 || i == 2 * rounds / 3) {
                        witness.checkpoint();
                    }
                    witness.record(me);
                    long page = base + ((long) rnd[me].nextInt(16) << 12);
                    assertThat(g.p().touch(pid, page, true)).isEqualTo(Outcome.OK);
                    assertThat(g.p().mprotect(pid, base, 16 << 12, Vma.READ)).isEqualTo(Outcome.OK); // flush_tlb_range
                    assertThat(g.p().mprotect(pid, base, 16 << 12, Vma.READ | Vma.WRITE)).isEqualTo(Outcome.OK);
                }
                taken[me] = g.ipis().get(me).get("ipis-received");
                witness.checkpoint(); // neither leaves while the other may still shoot it down
            };
        }
        onTwoVcpus(bodies[0], bodies[1]);

        witness.assertInterleaved();
        List<Map<String, Long>> ipis = g.ipis();
        long sent = ipis.stream().mapToLong(m -> m.get("ipis-sent")).sum();
        long received = ipis.stream().mapToLong(m -> m.get("ipis-received")).sum();
        assertThat(sent).as("IPIs sent, summed").isEqualTo(received).isGreaterThanOrEqualTo(2L * 2 * rounds);
        assertThat(ipis).allSatisfy(m -> assertThat(m.get("ipis-sent")).isPositive());
        assertThat(taken).as("IPIs each vCPU took").doesNotContain(0L);
    }
}
