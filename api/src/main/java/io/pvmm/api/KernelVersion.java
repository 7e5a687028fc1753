package io.pvmm.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The Linux i386 kernel the guest model follows, where the versions differ in what a backend sees.
 * Ordered oldest first, so {@link #compareTo} and {@link #isAtLeast} compare releases.
 *
 * <ul>
 *   <li>{@link #V2_6_21}: the kernel of the page allocation hooks ("MM: page allocation hooks for VMI
 *       backend"). Its {@code struct paravirt_ops} has no {@code activate_mm}, {@code dup_mmap},
 *       {@code exit_mmap}, {@code pagetable_setup_start} or {@code pagetable_setup_done}
 *       ({@code include/asm-i386/paravirt.h}); PAE roots always share swapper's kernel pmd.</li>
 *   <li>{@link #V2_6_23}: the first kernel with the Xen pv-ops guest ({@code arch/i386/xen}). It calls
 *       those five hooks ({@code mmu_context.h}'s {@code activate_mm}, {@code kernel/fork.c}'s
 *       {@code arch_dup_mmap}, {@code mm/mmap.c}'s {@code arch_exit_mmap}, {@code arch/i386/mm/init.c}'s
 *       {@code pagetable_init}) and lets a backend ask for an unshared PAE kernel pmd
 *       ({@code SHARED_KERNEL_PMD}).</li>
 * </ul>
 *
 * <p>In both, {@code pte_clear}, {@code pmd_clear} and {@code set_pte_atomic} are members of
 * {@code paravirt_ops} only with {@code CONFIG_X86_PAE}; a 2-level guest reaches them as
 * {@code pgtable-2level.h}'s {@code set_pte_at(mm, addr, xp, 0)}, {@code set_pmd(xp, 0)} and
 * {@code set_pte}.
 *
 * @since 1.1
 */
public enum KernelVersion {

    /** Linux 2.6.21, the seed's kernel. */
    V2_6_21("2.6.21", "2.6.21 is the kernel of the page allocation hooks for the VMI backend."),

    /** Linux 2.6.23, the first Xen pv-ops kernel. */
    V2_6_23("2.6.23", "2.6.23 is the first Xen pv-ops kernel: it added the activate_mm, dup_mmap, exit_mmap and "
            + "pagetable_setup_start/done hooks and the unshared PAE kernel pmd.");

    /** The oldest version modelled: what a backend requires when it declares nothing. */
    public static final KernelVersion OLDEST = V2_6_21;

    private final String text;
    private final String summary;

    KernelVersion(String text, String summary) {
        this.text = text;
        this.summary = summary;
    }

    /**
     * What the release brought that a backend may need, in one sentence: why a backend would require it.
     *
     * @return e.g. {@code 2.6.23 is the first Xen pv-ops kernel: ...}
     */
    public String summary() {
        return summary;
    }

    /**
     * Reads a version as written in configuration, e.g. {@code 2.6.21}; surrounding blanks and a
     * leading {@code v} or {@code linux-} are ignored.
     *
     * @param s the text
     * @return the version
     * @throws IllegalArgumentException naming the accepted versions, if {@code s} is none of them
     */
    public static KernelVersion parse(String s) {
        String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("linux-")) {
            t = t.substring("linux-".length());
        } else if (t.startsWith("v")) {
            t = t.substring(1);
        }
        for (KernelVersion v : values()) {
            if (v.text.equals(t)) {
                return v;
            }
        }
        throw new IllegalArgumentException("'" + (s == null ? "" : s.trim()) + "' is not a modelled kernel version; accepted: "
                + accepted());
    }

    /**
     * The versions {@link #parse} accepts, oldest first.
     *
     * @return e.g. {@code 2.6.21, 2.6.23}
     */
    public static String accepted() {
        return Arrays.stream(values()).map(KernelVersion::toString).collect(Collectors.joining(", "));
    }

    /**
     * Whether this release is {@code other} or a later one.
     *
     * @param other another version
     * @return {@code this >= other}
     */
    public boolean isAtLeast(KernelVersion other) {
        return compareTo(other) >= 0;
    }

    /**
     * Whether {@code struct paravirt_ops} has the address-space hooks {@code activate_mm},
     * {@code dup_mmap}, {@code exit_mmap} and the boot hooks {@code pagetable_setup_start} and
     * {@code pagetable_setup_done}: not in 2.6.21, in 2.6.23.
     *
     * @return whether the guest calls {@link ParavirtOps#activateMm}, {@link ParavirtOps#dupMmap},
     *         {@link ParavirtOps#exitMmap}, {@link ParavirtOps#pagetableSetupStart} and
     *         {@link ParavirtOps#pagetableSetupDone}
     */
    public boolean hasAddressSpaceHooks() {
        return isAtLeast(V2_6_23);
    }

    /**
     * The version as written: {@code 2.6.21}.
     *
     * @return the dotted version
     */
    @Override
    public String toString() {
        return text;
    }
}
