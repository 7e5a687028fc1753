package io.pvmm.guest.config;

import io.pvmm.api.KernelVersion;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.api.SettingSpec;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.hw.TlbGeometry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The guest's settings, configured under {@code guest.*} like every other setting ({@code --set
 * guest.pse=false}, system property {@code pvmm.guest.pse}, environment {@code PVMM_GUEST_PSE}, ...).
 * A backend's platform requirements override {@link #pse()} and {@link #pge()}.
 *
 * @param memoryMib            guest RAM in MiB ({@code guest.memory-mib})
 * @param pse                  map lowmem with large pages when the CPU offers PSE ({@code guest.pse})
 * @param pge                  mark kernel mappings global when the CPU offers PGE ({@code guest.pge})
 * @param vcpus                virtual CPUs ({@code guest.vcpus})
 * @param seed                 seed of every random choice the guest and its workload make ({@code guest.seed})
 * @param failAllocAt          the k-th page allocation fails, 0 for none ({@code guest.fail-alloc-at})
 * @param failAllocProbability each page allocation fails with this probability ({@code guest.fail-alloc-probability})
 * @param bugs                 guest bugs committed on purpose ({@code guest.bug})
 * @param tlb                  each vCPU's TLB ({@code guest.tlb-*})
 * @param kernel               the kernel the guest runs ({@code guest.kernel}), or null for the oldest the
 *                             backend serves ({@link PlatformRequirements#minimumKernel()}); see {@link #kernelFor}
 */
public record GuestConfig(long memoryMib, boolean pse, boolean pge, int vcpus, long seed, long failAllocAt,
                          double failAllocProbability, Set<GuestBug> bugs, TlbGeometry tlb, KernelVersion kernel) {

    /** The namespace of the guest's settings. */
    public static final String NAMESPACE = "guest";
    /** The most vCPUs a guest may have. */
    public static final int MAX_VCPUS = 64;

    /** The defaults: 256 MiB, PSE and PGE on, one vCPU, seed 1, no faults, Core 2's TLB, the backend's kernel. */
    public static final GuestConfig DEFAULTS = new GuestConfig(256, true, true, 1, 1, 0, 0.0, Set.of(), TlbGeometry.CORE2, null);

    /**
     * Checks the values.
     *
     * @param memoryMib            guest RAM in MiB
     * @param pse                  PSE wanted
     * @param pge                  PGE wanted
     * @param vcpus                virtual CPUs
     * @param seed                 the seed
     * @param failAllocAt          allocation to fail
     * @param failAllocProbability failure probability
     * @param bugs                 bugs on purpose
     * @param tlb                  the TLB's shape
     * @param kernel               the kernel, or null for the backend's oldest
     */
    public GuestConfig {
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException("guest.vcpus must be between 1 and " + MAX_VCPUS + ": " + vcpus);
        }
        if (failAllocAt < 0) {
            throw new IllegalArgumentException("guest.fail-alloc-at must be 0 (off) or a positive allocation number: " + failAllocAt);
        }
        if (!(failAllocProbability >= 0 && failAllocProbability <= 1)) { // NaN too
            throw new IllegalArgumentException("guest.fail-alloc-probability must be between 0 and 1: " + failAllocProbability);
        }
        bugs = bugs.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(bugs));
        Objects.requireNonNull(tlb, "tlb");
    }

    /**
     * The settings the guest accepts, for the runtime's configuration checks.
     *
     * @return the specs of {@code guest.*}, keys without the namespace
     */
    public static List<SettingSpec> specs() {
        List<String> bugNames = new ArrayList<>();
        bugNames.add("none");
        Arrays.stream(GuestBug.values()).map(GuestBug::settingName).forEach(bugNames::add);
        List<SettingSpec> specs = new ArrayList<>(List.of(
                SettingSpec.longValue("memory-mib", DEFAULTS.memoryMib, "guest RAM in MiB (lowmem is capped at 896 MiB less any hypervisor hole)"),
                SettingSpec.bool("pse", DEFAULTS.pse, "map lowmem with large pages when the backend allows PSE"),
                SettingSpec.bool("pge", DEFAULTS.pge, "mark kernel mappings global when the backend allows PGE"),
                SettingSpec.longValue("vcpus", DEFAULTS.vcpus, "virtual CPUs, each a thread (1 to " + MAX_VCPUS + ")"),
                SettingSpec.longValue("seed", DEFAULTS.seed, "seed of the workload and of injected failures"),
                SettingSpec.longValue("fail-alloc-at", 0, "make the k-th page allocation fail (0: never)"),
                SettingSpec.doubleValue("fail-alloc-probability", 0.0, "make each page allocation fail with this probability"),
                SettingSpec.choice("bug", "none", "commit a guest bug on purpose, to see which backend catches it",
                        bugNames.toArray(new String[0])),
                SettingSpec.string("kernel", "", "the guest's kernel, " + KernelVersion.accepted().replace(", ", " or ")
                        + " (empty: the oldest the backend serves)")));
        specs.addAll(TlbGeometry.specs());
        return List.copyOf(specs);
    }

    /**
     * Builds the configuration from validated settings (keys without the namespace).
     *
     * @param values setting values by key; missing keys take their defaults
     * @return the configuration
     * @throws IllegalArgumentException if a value is out of range
     */
    public static GuestConfig fromSettings(Map<String, String> values) {
        Objects.requireNonNull(values, "values");
        String bug = values.getOrDefault("bug", "none").trim();
        Set<GuestBug> bugs = bug.equals("none") ? Set.of() : Set.of(GuestBug.fromSettingName(bug)
                .orElseThrow(() -> new IllegalArgumentException("guest.bug: unknown bug '" + bug + "'")));
        return new GuestConfig(
                SettingSpec.parseLong(values.getOrDefault("memory-mib", Long.toString(DEFAULTS.memoryMib))),
                Boolean.parseBoolean(values.getOrDefault("pse", "true").trim()),
                Boolean.parseBoolean(values.getOrDefault("pge", "true").trim()),
                vcpus(SettingSpec.parseLong(values.getOrDefault("vcpus", "1"))),
                SettingSpec.parseLong(values.getOrDefault("seed", "1")),
                SettingSpec.parseLong(values.getOrDefault("fail-alloc-at", "0")),
                Double.parseDouble(values.getOrDefault("fail-alloc-probability", "0").trim()),
                bugs, TlbGeometry.fromSettings(values), kernel(values.getOrDefault("kernel", "")));
    }

    private static KernelVersion kernel(String v) {
        if (v.isBlank()) {
            return null;
        }
        try {
            return KernelVersion.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("guest.kernel: " + e.getMessage(), e);
        }
    }

    /**
     * The kernel the guest runs on a backend with these requirements: {@link #kernel()} if it was
     * chosen, else the oldest the backend serves (2.6.21 for a backend that declares nothing).
     *
     * @param platform the backend's requirements in the guest's paging mode
     * @return the kernel
     * @throws KernelNotServed if the chosen kernel is older than the backend's minimum
     */
    public KernelVersion kernelFor(PlatformRequirements platform) {
        if (kernel == null) {
            return platform.minimumKernel();
        }
        if (!platform.serves(kernel)) {
            throw new KernelNotServed(kernel, platform.minimumKernel());
        }
        return kernel;
    }

    private static int vcpus(long v) {
        if (v < 1 || v > MAX_VCPUS) { // before narrowing, so a huge value is named with its range, not as an overflow
            throw new IllegalArgumentException("guest.vcpus must be between 1 and " + MAX_VCPUS + ": " + v);
        }
        return (int) v;
    }

    /**
     * Whether a bug is switched on.
     *
     * @param bug a bug
     * @return whether the guest commits it
     */
    public boolean has(GuestBug bug) {
        return bugs.contains(bug);
    }

    /** @return a copy with another vCPU count */
    public GuestConfig withVcpus(int n) {
        return new GuestConfig(memoryMib, pse, pge, n, seed, failAllocAt, failAllocProbability, bugs, tlb, kernel);
    }

    /** @return a copy with another seed */
    public GuestConfig withSeed(long s) {
        return new GuestConfig(memoryMib, pse, pge, vcpus, s, failAllocAt, failAllocProbability, bugs, tlb, kernel);
    }

    /** @return a copy with PSE wanted or not */
    public GuestConfig withPse(boolean on) {
        return new GuestConfig(memoryMib, on, pge, vcpus, seed, failAllocAt, failAllocProbability, bugs, tlb, kernel);
    }

    /** @return a copy with another memory size */
    public GuestConfig withMemoryMib(long mib) {
        return new GuestConfig(mib, pse, pge, vcpus, seed, failAllocAt, failAllocProbability, bugs, tlb, kernel);
    }

    /** @return a copy that fails the k-th allocation */
    public GuestConfig withFailAllocAt(long k) {
        return new GuestConfig(memoryMib, pse, pge, vcpus, seed, k, failAllocProbability, bugs, tlb, kernel);
    }

    /** @return a copy with a failure probability */
    public GuestConfig withFailAllocProbability(double p) {
        return new GuestConfig(memoryMib, pse, pge, vcpus, seed, failAllocAt, p, bugs, tlb, kernel);
    }

    /** @return a copy with another TLB shape */
    public GuestConfig withTlb(TlbGeometry t) {
        return new GuestConfig(memoryMib, pse, pge, vcpus, seed, failAllocAt, failAllocProbability, bugs, t, kernel);
    }

    /** @return a copy running kernel {@code k} (null: the backend's oldest) */
    public GuestConfig withKernel(KernelVersion k) {
        return new GuestConfig(memoryMib, pse, pge, vcpus, seed, failAllocAt, failAllocProbability, bugs, tlb, k);
    }

    /** @return a copy committing these bugs */
    public GuestConfig withBugs(Set<GuestBug> b) {
        return new GuestConfig(memoryMib, pse, pge, vcpus, seed, failAllocAt, failAllocProbability, b, tlb, kernel);
    }
}
