package io.pvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.CostEvent;
import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.cost.GuestEvent;
import io.pvmm.guest.cost.PerOperation;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.observe.Hook;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.guest.workload.LmbenchWorkloads;
import io.pvmm.guest.workload.LmbenchWorkload;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The lmbench-shaped workloads' counts per timed operation, held against what the kernel path does:
 * each expected figure is derived from the workload's layout and the kernel's rules, not read off a run.
 */
@DisplayName("lmbench-shaped workloads, per operation")
class LmbenchWorkloadsTest {

    private static final int ITERATIONS = 8;

    /** On native at its default kernel, 2.6.21. */
    private static PerOperation on(String workload, PagingMode mode) {
        return on(workload, mode, "native", null);
    }

    /** On a backend at its default kernel (native's 2.6.21, xen's 2.6.23). */
    private static PerOperation on(String workload, PagingMode mode, String backend) {
        return on(workload, mode, backend, null);
    }

    private static PerOperation on(String workload, PagingMode mode, KernelVersion kernel) {
        return on(workload, mode, "native", kernel);
    }

    private static PerOperation on(String workload, PagingMode mode, String backend, KernelVersion kernel) {
        BackendProvider p = Backends.discovered().stream().filter(b -> b.name().equals(backend)).findFirst().orElseThrow();
        LmbenchWorkload w = LmbenchWorkloads.all(ITERATIONS).get(workload);
        return PerOperation.measure(w, mode, GuestConfig.DEFAULTS.withMemoryMib(64).withKernel(kernel), BackendFactory.of(p));
    }

    private static double hook(PerOperation r, Hook h) {
        return r.hooks().getOrDefault(h, 0.0);
    }

    private static double guest(PerOperation r, GuestEvent e) {
        return r.counts().guest().get(e);
    }

    /**
     * The pte pages a fork copies: one per page-table span (4 MiB, or 2 MiB in PAE) that the parent's
     * written vmas reach, since copy_page_range skips vmas without an anon_vma. The lmbench process
     * writes its data and bss (beside its text at 0x08048000), the C library's data and its heap (at
     * 0x40000000, within one span of the library's text) and its stack: three spans in either mode.
     */
    private static final int PTE_PAGES_A_FORK_COPIES = 3;

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("lat-fork: a fork copies the parent's 3 written spans' pte pages, the exit releases them, two CR3 loads; "
            + "dup_mmap's and exit_mmap's hooks once each under 2.6.23, never under 2.6.21")
    void latFork(PagingMode mode) {
        PerOperation r = on("lat-fork", mode);
        assertThat(hook(r, Hook.allocPt)).isEqualTo(PTE_PAGES_A_FORK_COPIES);
        assertThat(hook(r, Hook.releasePt)).isEqualTo(PTE_PAGES_A_FORK_COPIES);
        // PAE: pgd_alloc announces the 3 user pmds, pgd_free releases them; 2-level: the cached pgd is reused, no hook
        assertThat(hook(r, Hook.allocPd)).isEqualTo(mode == PagingMode.PAE ? 3 : 0);
        assertThat(hook(r, Hook.releasePd)).isEqualTo(mode == PagingMode.PAE ? 3 : 0);
        assertThat(hook(r, Hook.allocPdClone)).isZero();
        assertThat(hook(r, Hook.dupMmap)).as("2.6.21's paravirt_ops have no dup_mmap").isZero();
        assertThat(hook(r, Hook.exitMmap)).as("nor exit_mmap").isZero();
        PerOperation v2623 = on("lat-fork", mode, KernelVersion.V2_6_23);
        assertThat(hook(v2623, Hook.dupMmap)).isEqualTo(1);
        assertThat(hook(v2623, Hook.exitMmap)).isEqualTo(1);
        assertThat(hook(v2623, Hook.allocPt)).isEqualTo(PTE_PAGES_A_FORK_COPIES);
        assertThat(hook(r, Hook.writeCr3)).as("to the child, back to the parent").isEqualTo(2);
        // the child's stack write breaks copy-on-write with a copy; the parent's, after the child is gone, reuses its page
        assertThat(guest(r, GuestEvent.COPY_PAGE)).isEqualTo(1);
        assertThat(guest(r, GuestEvent.PAGE_FAULT)).isEqualTo(2);
        assertThat(guest(r, GuestEvent.SYSCALL)).as("fork, the parent's wait, the child's exit").isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("lat-exec: the fork's 3 pte pages, then hello's 2 (text, data and bss in one span, the stack in another); "
            + "2.6.23's activate_mm once and exit_mmap twice")
    void latExec(PagingMode mode) {
        PerOperation r = on("lat-exec", mode);
        assertThat(hook(r, Hook.allocPt)).isEqualTo(PTE_PAGES_A_FORK_COPIES + 2);
        assertThat(hook(r, Hook.releasePt)).isEqualTo(PTE_PAGES_A_FORK_COPIES + 2);
        assertThat(hook(r, Hook.activateMm) + hook(r, Hook.exitMmap)).as("2.6.21: neither hook").isZero();
        assertThat(hook(r, Hook.writeCr3)).isEqualTo(3);
        PerOperation v2623 = on("lat-exec", mode, KernelVersion.V2_6_23);
        assertThat(hook(v2623, Hook.activateMm)).isEqualTo(1);
        assertThat(hook(v2623, Hook.exitMmap)).as("the forked mm at exec, hello's at exit").isEqualTo(2);
        assertThat(hook(v2623, Hook.writeCr3)).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("lat-pagefault: one fault and one pte write per page, a cached file page, nothing cleared but the pte page per pass")
    void latPagefault(PagingMode mode) {
        PerOperation r = on("lat-pagefault", mode);
        assertThat(guest(r, GuestEvent.PAGE_FAULT)).isEqualTo(1);
        assertThat(hook(r, Hook.setPteAt)).isEqualTo(1);
        // 256 pages in one span: one pte page a pass, zeroed when allocated, released at munmap
        assertThat(hook(r, Hook.allocPt)).isEqualTo(1.0 / 256);
        assertThat(guest(r, GuestEvent.CLEAR_PAGE)).isEqualTo(1.0 / 256);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("lat-mmap: a write every 16 KiB of the first tenth of 8 MiB is 52 faults, in one pte page")
    void latMmap(PagingMode mode) {
        PerOperation r = on("lat-mmap", mode);
        double tenth = (8 << 20) / 10.0;
        double touches = Math.ceil(tenth / (16 << 10));
        assertThat(touches).isEqualTo(52);
        assertThat(guest(r, GuestEvent.PAGE_FAULT)).isEqualTo(touches);
        assertThat(hook(r, Hook.setPteAt)).isEqualTo(touches);
        assertThat(hook(r, Hook.allocPt)).isEqualTo(1);
        assertThat(hook(r, Hook.releasePt)).isEqualTo(1);
        assertThat(guest(r, GuestEvent.SYSCALL)).as("mmap and munmap").isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("lat-protfault: one fault that bad_area refuses (no pte is made, so every store walks and faults), one sigreturn, no page-table change")
    void latProtfault(PagingMode mode) {
        PerOperation r = on("lat-protfault", mode);
        // the store: a walk that finds no pte in a vma without VM_WRITE; the frame's stores, the handler's and
        // sigreturn's loads all land on the stack and bss pages the benchmark has mapped and dirtied, in the TLB
        assertThat(guest(r, GuestEvent.PAGE_FAULT)).isEqualTo(1);
        assertThat(guest(r, GuestEvent.PAGE_WALK)).isEqualTo(1);
        assertThat(guest(r, GuestEvent.SYSCALL)).as("sigreturn").isEqualTo(1);
        assertThat(guest(r, GuestEvent.CLEAR_PAGE) + guest(r, GuestEvent.COPY_PAGE) + guest(r, GuestEvent.TLB_FLUSH)).isZero();
        assertThat(r.hooks().values().stream().mapToDouble(Double::doubleValue).sum()).as("no paravirt call at all").isZero();
        assertThat(r.report().operations()).isEqualTo(r.report().outcomes().get("OK"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("on xen every guest page fault enters Xen and is bounced to the guest: one vm-exit per protection fault and per lat_pagefault page")
    void xenBouncesEveryFault(PagingMode mode) {
        PerOperation prot = on("lat-protfault", mode, "xen");
        assertThat(prot.counts().backend().get(CostEvent.VM_EXIT)).isEqualTo(guest(prot, GuestEvent.PAGE_FAULT)).isEqualTo(1);
        assertThat(prot.counts().backend().get(CostEvent.HYPERCALL)).as("sigreturn's int 0x80 goes straight to the guest").isZero();
        PerOperation pf = on("lat-pagefault", mode, "xen");
        assertThat(pf.counts().backend().get(CostEvent.VM_EXIT)).isEqualTo(guest(pf, GuestEvent.PAGE_FAULT)).isEqualTo(1);
        PerOperation nat = on("lat-protfault", mode);
        assertThat(nat.counts().backend().getOrDefault(CostEvent.VM_EXIT, 0.0)).as("native: straight to the kernel").isZero();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("lat-ctx: each switch is one CR3 load and one walk after the flush, and changes no page table")
    void latCtx(PagingMode mode) {
        PerOperation r = on("lat-ctx", mode);
        assertThat(hook(r, Hook.writeCr3)).isEqualTo(1);
        assertThat(guest(r, GuestEvent.PAGE_WALK)).isEqualTo(1);
        assertThat(hook(r, Hook.allocPt) + hook(r, Hook.setPteAt) + hook(r, Hook.setPmd)).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PagingMode.class)
    @DisplayName("lat-shell: the shell's exec and the program's, each address space torn down once (2.6.23's activate_mm and exit_mmap)")
    void latShell(PagingMode mode) {
        PerOperation r = on("lat-shell", mode, KernelVersion.V2_6_23);
        assertThat(hook(r, Hook.activateMm)).as("sh, then hello").isEqualTo(2);
        assertThat(hook(r, Hook.exitMmap)).as("the forked mm, sh's, hello's").isEqualTo(3);
        assertThat(hook(r, Hook.allocPt)).isEqualTo(hook(r, Hook.releasePt));
        assertThat(ExecImage.TEXT_START).isEqualTo(0x0804_8000L);
    }
}
