package io.pvmm.cli;

import java.util.List;

/**
 * The rows of published lmbench measurements that pvmm's workloads cover, as docs/validation.md shows
 * them: each a paper's row (its table, the operation, native's figure and the virtualized one, their
 * unit, how sure the figure is), the workload and profile that stand for it, and the backend that stands
 * for the virtualized system (xen for XenoLinux, shadow for VMware Workstation or the VT-x monitor).
 */
final class ValidationRows {

    /** Read in a stored copy of the paper. */
    static final String READ = "read";
    /** Recalled from the paper and not checked against a stored copy: verify before relying on it. */
    static final String RECALLED = "recalled, unchecked";

    /**
     * One row.
     *
     * @param id        a short stable name, the first column
     * @param source    the paper and its table
     * @param measure   the paper's name for the measurement
     * @param system    the virtualized system of the paper's column
     * @param unit      the unit of the figures
     * @param nativeFig native's figure
     * @param virtFig   the virtualized system's figure
     * @param perOp     how many of the workload's operations one figure is (forkwait: 40,000 forks)
     * @param certainty how sure the figures are
     * @param workload  the pvmm workload, or null when none covers the row
     * @param profile   the cost profile
     * @param backend   the pvmm backend that stands for the system
     * @param fitted    whether a cost was fitted on this row (then it is not a prediction)
     * @param note      what differs between the paper's system and pvmm's for this row
     */
    record Row(String id, String source, String measure, String system, String unit, double nativeFig, double virtFig,
               double perOp, String certainty, String workload, String profile, String backend, boolean fitted, String note) {

        double publishedRatio() {
            return virtFig / nativeFig;
        }

        /** @return native's figure as cycles per operation at the clock */
        double nativeCycles(double clockGhz) {
            double seconds = switch (unit) {
                case "us" -> nativeFig * 1e-6;
                case "s" -> nativeFig;
                default -> throw new IllegalStateException(unit);
            };
            return seconds / perOp * clockGhz * 1e9;
        }
    }

    private static final String SOSP3 = "Barham et al., SOSP 2003, Table 3";
    private static final String SOSP4 = "Barham et al., SOSP 2003, Table 4";
    private static final String SOSP5 = "Barham et al., SOSP 2003, Table 5";
    private static final String XEN24 = "XenoLinux 2.4.21 (Xen 1.0) against pvmm's xen: the 2.6.21 hooks, late pin and early unpin"
            + " (2.6.23), multicall batching; Xen 1.0's guest made the same table updates through validated hypercalls";
    private static final String BT = "VMware Workstation's binary translator against pvmm's hookless shadow pager: the same"
            + " write-protect traps and hidden faults, priced as Adams & Agesen measured VMware's software VMM";

    static final List<Row> ROWS = List.of(
            new Row("fork-xen", SOSP3, "fork proc", "XenoLinux", "us", 110, 198, 1, RECALLED, "lat-fork", "xeon-2003", "xen", true,
                    XEN24 + ". The row xen.validated-entry is fitted on; not a prediction"),
            new Row("fork-vmw", SOSP3, "fork proc", "VMware Workstation", "us", 110, 874, 1, RECALLED, "lat-fork", "xeon-2003", "shadow", false, BT),
            new Row("exec-xen", SOSP3, "exec proc", "XenoLinux", "us", 530, 768, 1, RECALLED, "lat-exec", "xeon-2003", "xen", false, XEN24),
            new Row("exec-vmw", SOSP3, "exec proc", "VMware Workstation", "us", 530, 2300, 1, RECALLED, "lat-exec", "xeon-2003", "shadow", false, BT),
            new Row("sh-xen", SOSP3, "sh proc", "XenoLinux", "us", 4000, 4800, 1, RECALLED, "lat-shell", "xeon-2003", "xen", false,
                    XEN24 + "; the paper gives 4k0 and 4k8, two figures each"),
            new Row("sh-vmw", SOSP3, "sh proc", "VMware Workstation", "us", 4000, 10000, 1, RECALLED, "lat-shell", "xeon-2003", "shadow", false,
                    BT + "; the paper gives 4k0 and 10k, one or two figures each"),
            new Row("ctx-xen", SOSP4, "2p/0K ctx switch", "XenoLinux", "us", 0.77, 1.97, 1, RECALLED, "lat-ctx", "xeon-2003", "xen", false, XEN24),
            new Row("ctx-vmw", SOSP4, "2p/0K ctx switch", "VMware Workstation", "us", 0.77, 18.1, 1, RECALLED, "lat-ctx", "xeon-2003", "shadow", false, BT),
            new Row("mmap-xen", SOSP5, "mmap lat", "XenoLinux", "us", 68.0, 139, 1, RECALLED, "lat-mmap", "xeon-2003", "xen", false,
                    XEN24 + "; lmbench's size for this row is not given: pvmm maps 8 MiB"),
            new Row("mmap-vmw", SOSP5, "mmap lat", "VMware Workstation", "us", 68.0, 620, 1, RECALLED, "lat-mmap", "xeon-2003", "shadow", false,
                    BT + "; pvmm maps 8 MiB"),
            new Row("pagefault-xen", SOSP5, "page fault", "XenoLinux", "us", 1.42, 2.73, 1, RECALLED, "lat-pagefault", "xeon-2003", "xen", false,
                    XEN24 + "; every guest page fault enters Xen first and is bounced to the guest, in Xen 1.0 as in pvmm's xen (a vm-exit each)"),
            new Row("pagefault-vmw", SOSP5, "page fault", "VMware Workstation", "us", 1.42, 12.4, 1, RECALLED, "lat-pagefault", "xeon-2003", "shadow",
                    false, BT),
            new Row("protfault-xen", SOSP5, "prot fault", "XenoLinux", "us", 1.06, 1.40, 1, RECALLED, "lat-protfault", "xeon-2003", "xen", false,
                    XEN24 + "; the store's fault enters Xen and is bounced to the guest (a vm-exit); the signal's delivery and sigreturn"
                    + " add nothing on xen (the frame's page is mapped and writable, int 0x80 goes straight to the guest), and lmbench"
                    + " subtracts its lat_sig catch figure from this row anyway"),
            new Row("protfault-vmw", SOSP5, "prot fault", "VMware Workstation", "us", 1.06, 7.53, 1, RECALLED, "lat-protfault", "xeon-2003", "shadow",
                    false, BT + "; the store's fault is the guest's own (its pte is not present): one vm-exit to reflect it; the"
                    + " translated kernel's signal path, which lmbench subtracts as lat_sig catch only as far as a catch costs the same,"
                    + " is not modelled"),
            new Row("forkwait-vtx", "Adams & Agesen, ASPLOS 2006, section 6 (forkwait)", "forkwait, 40,000 forks", "VT-x hardware VMM", "s",
                    6.0, 106.4, 40000, RECALLED, "lat-fork", "p4-2006", "shadow", false,
                    "the hardware VMM's shadow paging without nested paging, as pvmm's shadow; the guest there was Linux 2.6 on VT-x"),
            new Row("forkwait-bt", "Adams & Agesen, ASPLOS 2006, section 6 (forkwait)", "forkwait, 40,000 forks", "software VMM (BT)", "s",
                    6.0, 36.9, 40000, RECALLED, null, "p4-2006", "shadow", false,
                    "not priced: the p4-2006 profile prices shadow as the VT-x monitor; no BT profile for the Pentium 4 672"));

    private ValidationRows() {
    }
}
