package io.pvmm.guest.hw;

import io.pvmm.api.SettingSpec;
import java.util.List;
import java.util.Map;

/**
 * The shape of one vCPU's data TLB: how many entries it has for 4 KiB pages and for large pages
 * (4 MiB in 2-level mode, 2 MiB in PAE), and how many ways each set has.
 *
 * <p>The defaults are the second-level data TLB (DTLB1) of Intel's Core microarchitecture (Core 2
 * "Merom", 2006; "Penryn", 2007–08): 256 entries, 4-way, for 4 KiB pages (CPUID leaf 2 descriptor
 * 0xB4, "Data TLB1: 4 KByte pages, 4-way associative, 256 entries") and 32 entries, 4-way, for large
 * pages (descriptor 0x05, "Data TLB1: 4 MByte pages, 4-way set associative, 32 entries"): Intel SDM
 * vol. 2A, CPUID, Table 3-17 (descriptor table; also Linux {@code arch/x86/kernel/cpu/intel.c},
 * {@code intel_tlb_table}), and Intel 64 and IA-32 Architectures Optimization Reference Manual
 * (248966), §2.1, "Intel Core Microarchitecture". The model has one level: Core 2's 16-entry DTLB0,
 * which serves loads only and misses into DTLB1 without a walk, and the instruction TLB are left out,
 * because the model's accesses are data accesses and a walk happens only when DTLB1 misses.
 *
 * @param smallEntries entries for 4 KiB pages ({@code guest.tlb-entries})
 * @param smallWays    ways per set for 4 KiB pages ({@code guest.tlb-ways})
 * @param largeEntries entries for large pages ({@code guest.tlb-large-entries})
 * @param largeWays    ways per set for large pages ({@code guest.tlb-large-ways})
 */
public record TlbGeometry(int smallEntries, int smallWays, int largeEntries, int largeWays) {

    /** Core 2's DTLB1: 256 × 4-way for 4 KiB pages, 32 × 4-way for large pages (sources above). */
    public static final TlbGeometry CORE2 = new TlbGeometry(256, 4, 32, 4);

    /**
     * Checks the shape: each array's entries a positive multiple of its ways, and a power-of-two
     * number of sets, as a hardware index of the low virtual page-number bits needs.
     *
     * @param smallEntries entries for 4 KiB pages
     * @param smallWays    ways for 4 KiB pages
     * @param largeEntries entries for large pages
     * @param largeWays    ways for large pages
     */
    public TlbGeometry {
        check("tlb-entries", "tlb-ways", smallEntries, smallWays);
        check("tlb-large-entries", "tlb-large-ways", largeEntries, largeWays);
    }

    private static void check(String entriesKey, String waysKey, int entries, int ways) {
        if (ways < 1 || entries < ways || entries % ways != 0 || Integer.bitCount(entries / ways) != 1) {
            throw new IllegalArgumentException("guest." + entriesKey + " (" + entries + ") must be a power-of-two multiple of guest."
                    + waysKey + " (" + ways + "), e.g. 256 and 4");
        }
    }

    /**
     * The settings that shape the TLB, for the guest's namespace.
     *
     * @return the specs, keys without the namespace
     */
    public static List<SettingSpec> specs() {
        return List.of(
                SettingSpec.longValue("tlb-entries", CORE2.smallEntries, "data TLB entries for 4 KiB pages (Core 2 DTLB1: 256)"),
                SettingSpec.longValue("tlb-ways", CORE2.smallWays, "ways per set of the 4 KiB TLB (Core 2: 4)"),
                SettingSpec.longValue("tlb-large-entries", CORE2.largeEntries, "data TLB entries for large pages (Core 2 DTLB1: 32)"),
                SettingSpec.longValue("tlb-large-ways", CORE2.largeWays, "ways per set of the large-page TLB (Core 2: 4)"));
    }

    /**
     * Reads the shape from settings (keys without the namespace), defaults where missing.
     *
     * @param values setting values
     * @return the geometry
     * @throws IllegalArgumentException if the shape is not one a TLB can have
     */
    public static TlbGeometry fromSettings(Map<String, String> values) {
        return new TlbGeometry(
                intValue(values, "tlb-entries", CORE2.smallEntries), intValue(values, "tlb-ways", CORE2.smallWays),
                intValue(values, "tlb-large-entries", CORE2.largeEntries), intValue(values, "tlb-large-ways", CORE2.largeWays));
    }

    private static int intValue(Map<String, String> values, String key, int dflt) {
        String v = values.get(key);
        return v == null ? dflt : Math.toIntExact(SettingSpec.parseLong(v));
    }
}
