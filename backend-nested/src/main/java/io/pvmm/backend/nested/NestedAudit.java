package io.pvmm.backend.nested;

import io.pvmm.api.Finding;
import io.pvmm.api.PagingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the host's nested table against its memory, in one pass over the table's present entries
 * (time linear in the table's frames):
 * <ul>
 *   <li>{@code nested-mapping-unowned}: every leaf is backed by host frames allocated to this guest;</li>
 *   <li>{@code guest-maps-host-memory}: no leaf reaches the host's own memory or a nested table;</li>
 *   <li>{@code nested-table-unowned}: every table entry points to one of the table's own frames;</li>
 *   <li>{@code host-frame-aliased}: no host frame backs two guest frames;</li>
 *   <li>{@code gpa-outside-guest}: no leaf maps a guest-physical frame beyond the guest's RAM;</li>
 *   <li>{@code ept-misconfiguration}: every present entry is one the processor accepts;</li>
 *   <li>{@code guest-frames-unaccounted}: the frames the host gave the guest are the ones mapped.</li>
 * </ul>
 */
final class NestedAudit {

    private static final int MAX_FINDINGS = 32;

    private NestedAudit() {
    }

    /**
     * Runs the audit.
     *
     * @param table       the nested table
     * @param frames      host memory
     * @param guestFrames the guest's RAM in frames
     * @return the findings, empty when the table is consistent
     */
    static List<Finding> audit(NestedTable table, HostFrames frames, long guestFrames) {
        List<Finding> out = new ArrayList<>();
        Map<Long, Long> backing = new HashMap<>(); // host frame -> guest frame it backs
        long[] mapped = {0};
        table.forEachEntry((tableHfn, level, index, gpaBase, entry, leaf) -> {
            if (out.size() >= MAX_FINDINGS) {
                return;
            }
            String bad = EptEntry.misconfiguration(entry, leaf);
            if (bad != null) {
                out.add(new Finding(NestedRule.EPT_MISCONFIGURATION, tableHfn, index,
                        "nested entry at level " + level + " for guest-physical 0x" + Long.toHexString(gpaBase) + ": " + bad,
                        "read|write|execute with memory type 6", hex(entry)));
            }
            long hfn = EptEntry.address(entry) >>> PagingMode.PAGE_SHIFT;
            if (!leaf) {
                if (frames.owner(hfn) != HostFrames.Owner.EPT_TABLE || !table.holds(hfn)) {
                    out.add(new Finding(NestedRule.NESTED_TABLE_UNOWNED, tableHfn, index,
                            "level-" + level + " entry points to host frame 0x" + Long.toHexString(hfn),
                            "a nested table frame", "owner " + frames.owner(hfn)));
                }
                return;
            }
            int count = level == 2 ? EptEntry.ENTRIES : 1;
            for (int i = 0; i < count && out.size() < MAX_FINDINGS; i++) {
                long gfn = (gpaBase >>> PagingMode.PAGE_SHIFT) + i;
                long h = hfn + i;
                HostFrames.Owner owner = frames.owner(h);
                if (owner == HostFrames.Owner.HOST || owner == HostFrames.Owner.EPT_TABLE) {
                    out.add(new Finding(NestedRule.GUEST_MAPS_HOST_MEMORY, gfn, -1,
                            "guest frame 0x" + Long.toHexString(gfn) + " maps host frame 0x" + Long.toHexString(h),
                            "a host frame allocated to the guest", "owner " + owner));
                } else if (owner != HostFrames.Owner.GUEST) {
                    out.add(new Finding(NestedRule.NESTED_MAPPING_UNOWNED, gfn, -1,
                            "guest frame 0x" + Long.toHexString(gfn) + " maps host frame 0x" + Long.toHexString(h),
                            "a host frame allocated to the guest", "a free frame, or none"));
                }
                if (gfn >= guestFrames) {
                    out.add(new Finding(NestedRule.GPA_OUTSIDE_GUEST, gfn, -1,
                            "the nested table maps guest frame 0x" + Long.toHexString(gfn) + ", beyond the guest's RAM",
                            "a frame below 0x" + Long.toHexString(guestFrames), "frame 0x" + Long.toHexString(gfn)));
                }
                Long other = backing.putIfAbsent(h, gfn);
                if (other != null) {
                    out.add(new Finding(NestedRule.HOST_FRAME_ALIASED, gfn, -1,
                            "host frame 0x" + Long.toHexString(h) + " backs guest frames 0x" + Long.toHexString(other)
                                    + " and 0x" + Long.toHexString(gfn), "one guest frame", "two"));
                }
                mapped[0]++;
            }
        });
        if (out.isEmpty() && mapped[0] != frames.guestFrames()) {
            out.add(new Finding(NestedRule.GUEST_FRAMES_UNACCOUNTED, -1, -1,
                    "the host allocated " + frames.guestFrames() + " frames to the guest and the nested table maps " + mapped[0],
                    Long.toString(frames.guestFrames()), Long.toString(mapped[0])));
        }
        return out;
    }

    private static String hex(long entry) {
        return "0x" + Long.toHexString(entry);
    }
}
