package io.pvmm.guest.bugs;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.Guests;
import io.pvmm.guest.TestBackends;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.Processes;
import io.pvmm.guest.mm.Vma;
import io.pvmm.guest.run.GuestRun;
import io.pvmm.guest.run.RunReport;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

@DisplayName("Guest bugs on purpose: each breaks exactly its rule (native notices none of them)")
class GuestBugTest {

    private static final GuestConfig SMALL = GuestConfig.DEFAULTS.withMemoryMib(64);

    private static RunReport runWith(GuestBug bug) {
        return runWith(bug, PagingMode.TWO_LEVEL);
    }

    private static RunReport runWith(GuestBug bug, PagingMode mode) {
        return new GuestRun(mode, SMALL.withBugs(Set.of(bug)),
                BuiltInWorkloads.find("fork-exit", new WorkloadSettings(30, 4, 4, 10, 4)).orElseThrow())
                .run(TestBackends.nativeFactory());
    }

    private static ParavirtOps spyOn(GuestKernel[] kernel, GuestBug bug, PagingMode mode) {
        return spyOn(kernel, Set.of(bug), mode);
    }

    private static ParavirtOps spyOn(GuestKernel[] kernel, Set<GuestBug> bugs, PagingMode mode) {
        ParavirtOps[] spy = new ParavirtOps[1];
        kernel[0] = Guests.boot(mode, SMALL.withBugs(bugs), PlatformRequirements.NONE, o -> spy[0] = Mockito.spy(o)).kernel();
        return spy[0];
    }

    /** The roots in CR3 on the calling vCPU at each release_pd from now on. */
    private static List<Long> cr3AtReleasePd(GuestKernel kernel, ParavirtOps spy) {
        List<Long> loaded = new ArrayList<>();
        Mockito.doAnswer(inv -> {
            loaded.add(kernel.machine().tlbs().current().cr3());
            return inv.callRealMethod();
        }).when(spy).releasePd(Mockito.anyLong());
        return loaded;
    }

    private static Processes withHeapTouched(GuestKernel k) {
        Processes p = k.processes();
        p.spawnKernelThread(1);
        p.exec(1, ExecImage.DEFAULT);
        p.mmap(1, 0x4000_0000L, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        p.touch(1, 0x4000_0000L, true);
        return p;
    }

    @Test
    @DisplayName("skip-release-pt: pte pages go back to the free pool without release_pt, so the hooks no longer balance")
    void skipReleasePt() {
        RunReport r = runWith(GuestBug.SKIP_RELEASE_PT);
        assertThat(r.completed()).isTrue();
        assertThat(r.hooks().get("releasePt")).isZero();
        assertThat(r.balanced()).isFalse();
        assertThat(r.problemsFound()).as("native catches nothing").isFalse();
    }

    @Test
    @DisplayName("free-before-release: release_pt names a frame that is already in the free pool")
    void freeBeforeRelease() {
        GuestKernel[] k = new GuestKernel[1];
        ParavirtOps spy = spyOn(k, GuestBug.FREE_BEFORE_RELEASE, PagingMode.PAE);
        Processes p = withHeapTouched(k[0]);
        Set<Long> ptePages = Guests.userPtePages(k[0], p.task(1).mm().pgd());
        Map<Long, Boolean> freeAtRelease = new TreeMap<>();
        Mockito.doAnswer(inv -> {
            freeAtRelease.put(inv.getArgument(0), k[0].pool().isFree(inv.getArgument(0)));
            return inv.callRealMethod();
        }).when(spy).releasePt(Mockito.anyLong());
        p.exit(1);
        assertThat(freeAtRelease.keySet()).as("the pte pages released: every one the process's user half linked").isEqualTo(ptePages);
        assertThat(freeAtRelease.values()).as("free in the pool at their release_pt").containsOnly(true);
    }

    @Test
    @DisplayName("clone-outside-lock: alloc_pd_clone is called without pgd_lock held")
    void cloneOutsideLock() {
        GuestKernel[] k = new GuestKernel[1];
        ParavirtOps spy = spyOn(k, GuestBug.CLONE_OUTSIDE_LOCK, PagingMode.TWO_LEVEL);
        List<Boolean> locked = new ArrayList<>();
        Mockito.doAnswer(inv -> {
            locked.add(k[0].pgTable().pgdLock().isHeldByCurrentThread());
            return inv.callRealMethod();
        }).when(spy).allocPdClone(Mockito.anyLong(), Mockito.anyLong(), Mockito.anyInt(), Mockito.anyInt());
        k[0].pgTable().pgdAlloc();
        assertThat(locked).containsExactly(false);
        assertThat(k[0].pgTable().pgdListSnapshot()).as("it still joins pgd_list").hasSize(1);
    }

    @Test
    @DisplayName("write-table-directly: pmd_populate announces the pte page but links it with a plain store, no set_pmd")
    void writeTableDirectly() {
        GuestKernel[] k = new GuestKernel[1];
        ParavirtOps spy = spyOn(k, GuestBug.WRITE_TABLE_DIRECTLY, PagingMode.TWO_LEVEL);
        Processes p = k[0].processes();
        p.spawnKernelThread(1);
        p.exec(1, ExecImage.DEFAULT);
        p.mmap(1, 0x4000_0000L, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        Mockito.clearInvocations(spy);
        p.touch(1, 0x4000_0000L, true);
        Mockito.verify(spy).allocPt(Mockito.anyLong());
        Mockito.verify(spy, Mockito.never()).setPmd(Mockito.anyLong(), Mockito.anyLong());
        assertThat(k[0].mmu().translate(p.task(1).mm().pgd(), 0x4000_0000L)).as("the guest's own tables are right").isNotNull();
    }

    @Test
    @DisplayName("leak-pgd: freed roots never return to the cache, so release_pd never comes for them")
    void leakPgd() {
        RunReport r = runWith(GuestBug.LEAK_PGD);
        assertThat(r.hooks().get("allocPdClone")).isGreaterThan(r.hooks().get("releasePd"));
        assertThat(r.balanced()).isFalse();
        assertThat(r.noLeak()).isFalse();
    }

    @Test
    @DisplayName("missing-pte-update: fork write-protects the parent's ptes in place and calls pte_update for none of them")
    void missingPteUpdate() {
        GuestKernel[] k = new GuestKernel[1];
        ParavirtOps spy = spyOn(k, GuestBug.MISSING_PTE_UPDATE, PagingMode.TWO_LEVEL);
        Processes p = withHeapTouched(k[0]);
        Mockito.clearInvocations(spy);
        p.fork(1, 2);
        Mockito.verify(spy, Mockito.never()).pteUpdate(Mockito.anyLong(), Mockito.anyLong(), Mockito.anyLong());
        assertThat(k[0].mmu().translate(p.task(1).mm().pgd(), 0x4000_0000L)).as("the parent's pte").isNotNull()
                .satisfies(t -> assertThat(t.writable()).as("write-protected for copy-on-write").isFalse());
        assertThat(k[0].bugSites().hits(GuestBug.MISSING_PTE_UPDATE)).isPositive();
    }

    @Test
    @DisplayName("store-to-pinned-directory: pmd_populate links the pte page with set_pte on the pmd entry, no set_pmd")
    void storeToPinnedDirectory() {
        GuestKernel[] k = new GuestKernel[1];
        ParavirtOps spy = spyOn(k, GuestBug.STORE_TO_PINNED_DIRECTORY, PagingMode.PAE);
        Processes p = k[0].processes();
        p.spawnKernelThread(1);
        p.exec(1, ExecImage.DEFAULT);
        p.mmap(1, 0x4000_0000L, 1 << 16, Vma.READ | Vma.WRITE, 0, 0);
        List<Long> allocated = new ArrayList<>();
        Mockito.doAnswer(inv -> {
            allocated.add(inv.getArgument(0));
            return inv.callRealMethod();
        }).when(spy).allocPt(Mockito.anyLong());
        List<Long> setPteValues = new ArrayList<>();
        Mockito.doAnswer(inv -> {
            setPteValues.add(inv.getArgument(1));
            return inv.callRealMethod();
        }).when(spy).setPte(Mockito.anyLong(), Mockito.anyLong());
        Mockito.clearInvocations(spy);
        p.touch(1, 0x4000_0000L, true);
        Mockito.verify(spy, Mockito.never()).setPmd(Mockito.anyLong(), Mockito.anyLong());
        assertThat(allocated).hasSize(1);
        assertThat(setPteValues).as("a set_pte whose value links the new pte page")
                .anyMatch(v -> (v >>> PagingMode.PAGE_SHIFT & 0xFFFFFL) == allocated.get(0) && (v & 0x67) == 0x67);
        assertThat(k[0].mmu().translate(p.task(1).mm().pgd(), 0x4000_0000L)).as("the guest's own tables are right").isNotNull();
    }

    @Test
    @DisplayName("missing-alloc-pd: a PAE pgd_alloc links its three user pmds with set_pgd and announces none")
    void missingAllocPd() {
        GuestKernel[] k = new GuestKernel[1];
        ParavirtOps spy = spyOn(k, GuestBug.MISSING_ALLOC_PD, PagingMode.PAE);
        Mockito.clearInvocations(spy);
        k[0].pgTable().pgdAlloc();
        Mockito.verify(spy, Mockito.never()).allocPd(Mockito.anyLong());
        Mockito.verify(spy, Mockito.times(3)).setPgd(Mockito.anyLong(), Mockito.anyLong());
        RunReport r = runWith(GuestBug.MISSING_ALLOC_PD, PagingMode.PAE);
        assertThat(r.completed()).isTrue();
        assertThat(r.balanced()).as("release_pd without alloc_pd").isFalse();
        assertThat(runWith(GuestBug.MISSING_ALLOC_PD, PagingMode.TWO_LEVEL).balanced()).as("2-level: no pmd, no bug").isTrue();
    }

    @Test
    @DisplayName("mmdrop-before-switch: exit_mm frees the pgd while its root is in CR3 (PAE: release_pd of its pmds); without the bug that waits for the switch away")
    void mmdropBeforeSwitch() {
        GuestKernel[] k = new GuestKernel[1];
        ParavirtOps spy = spyOn(k, GuestBug.MMDROP_BEFORE_SWITCH, PagingMode.PAE);
        Processes p = withHeapTouched(k[0]);
        long root = p.task(1).mm().pgd();
        List<Long> loaded = cr3AtReleasePd(k[0], spy);
        p.exit(1);
        assertThat(loaded).as("CR3 at each release_pd of the exit: the dying root, for its three user pmds").hasSize(3).containsOnly(root);
        p.idle();
        assertThat(loaded).as("finish_task_switch's mmdrop after the switch finds the reference gone: no second pgd_free").hasSize(3);

        GuestKernel[] c = new GuestKernel[1];
        ParavirtOps control = spyOn(c, Set.of(), PagingMode.PAE);
        Processes q = withHeapTouched(c[0]);
        List<Long> loadedWithout = cr3AtReleasePd(c[0], control);
        q.exit(1);
        assertThat(loadedWithout).as("without the bug exit frees no table: the CPU still holds the mm").isEmpty();
        q.idle();
        assertThat(loadedWithout).as("the pmds are released after the switch to swapper_pg_dir").hasSize(3)
                .containsOnly(c[0].layout().swapperPgDir());
    }

    @Test
    @DisplayName("clear-pmd-directly: free_pte_range clears the user pmds with plain stores, no pmd_clear, and still releases every pte page")
    void clearPmdDirectly() {
        GuestKernel[] k = new GuestKernel[1];
        ParavirtOps spy = spyOn(k, GuestBug.CLEAR_PMD_DIRECTLY, PagingMode.TWO_LEVEL);
        Processes p = withHeapTouched(k[0]);
        long root = p.task(1).mm().pgd();
        Set<Long> ptePages = Guests.userPtePages(k[0], root);
        List<Long> released = new ArrayList<>();
        Mockito.doAnswer(inv -> {
            released.add(inv.getArgument(0));
            return inv.callRealMethod();
        }).when(spy).releasePt(Mockito.anyLong());
        Mockito.clearInvocations(spy);
        p.exit(1);
        Mockito.verify(spy, Mockito.never()).pmdClear(Mockito.anyLong());
        assertThat(released).as("every pte page the user half linked is released").containsExactlyInAnyOrderElementsOf(ptePages);
        assertThat(Guests.userPtePages(k[0], root)).as("the guest's own pmds are clear").isEmpty();
    }

    @Test
    @DisplayName("every bug is documented with the kernel rule it breaks, and named as guest.bug accepts it")
    void documented() {
        for (GuestBug bug : GuestBug.values()) {
            assertThat(bug.rule()).isNotBlank();
            assertThat(GuestBug.fromSettingName(bug.settingName())).contains(bug);
            assertThat(GuestConfig.specs().stream().filter(s -> s.key().equals("bug")).findFirst().orElseThrow().choices())
                    .contains(bug.settingName());
        }
    }
}
