package io.pvmm.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTML report's detection matrix: the rows {@code docs/detection-matrix.md} shows (one per mode and
 * backend, and the guest model's own checks), each cell coloured by how the bug was caught, and a
 * legend of the colours the table uses, no others.
 */
final class HtmlMatrix {

    /** The kinds of cell, in the legend's order: css class, then what it means. */
    private static final Map<String, String> KINDS = legend();

    private HtmlMatrix() {
    }

    private static Map<String, String> legend() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("violation", "caught by the backend: it refused a call (violation:rule)");
        m.put("audit", "caught by the backend's audit (audit:rule)");
        m.put("model", "caught by the guest model's own checks (unbalanced hooks, a leak, a stale TLB entry)");
        m.put("guestbug", "the guest hit a BUG of its own (guest-bug)");
        m.put("failure", "the backend failed (failure)");
        m.put("missed", "missed (-)");
        m.put("skip", "not run: the backend lacks the mode, or the run stopped");
        return m;
    }

    /**
     * How a cell was caught.
     *
     * @param guestRow whether the cell is in the guest model's row
     * @param cell     the cell's text
     * @return its css class, a key of the legend
     */
    static String kind(boolean guestRow, String cell) {
        if (cell == null || cell.isEmpty()) {
            return "skip";
        }
        if (cell.equals("-")) {
            return "missed";
        }
        if (guestRow) {
            return "model";
        }
        if (cell.startsWith("violation")) {
            return "violation";
        }
        if (cell.startsWith("audit")) {
            return "audit";
        }
        if (cell.startsWith("guest")) {
            return "guestbug";
        }
        return cell.startsWith("failure") ? "failure" : "missed";
    }

    /**
     * Appends the matrix.
     *
     * @param c  the comparison
     * @param sb the page
     */
    static void append(Comparison c, StringBuilder sb) {
        List<List<String>> rows = c.matrix().rows();
        List<String> used = new ArrayList<>();
        StringBuilder table = new StringBuilder("<div class=\"scroll\"><table class=\"matrix\">\n<tr>");
        rows.get(0).forEach(h -> table.append("<th class=\"l\">").append(Html.escape(h)).append("</th>"));
        table.append("</tr>\n");
        for (List<String> row : rows.subList(1, rows.size())) {
            boolean guest = row.get(1).equals(io.pvmm.guest.run.DetectionMatrix.GUEST);
            table.append("<tr").append(guest ? " class=\"guestrow\"" : "").append("><td>").append(Html.escape(row.get(0))).append("</td><td><b>")
                    .append(Html.escape(row.get(1))).append("</b></td>");
            for (String cell : row.subList(2, row.size())) {
                String kind = kind(guest, cell);
                if (!used.contains(kind)) {
                    used.add(kind);
                }
                table.append("<td class=\"").append(kind).append("\">").append(Html.escape(cell == null ? "" : cell)).append("</td>");
            }
            table.append("</tr>\n");
        }
        table.append("</table></div>\n");
        sb.append("<section id=\"matrix\">\n<h2>Detection matrix</h2>\n<p class=\"meta\">Each guest bug injected in its own run on each "
                + "backend, with the seed and vCPUs above; docs/detection-matrix.md explains each bug.</p>\n<p class=\"legend\">");
        KINDS.forEach((kind, meaning) -> {
            if (used.contains(kind)) {
                sb.append("<span class=\"").append(kind).append("\">&#160;").append(Html.escape(meaning)).append("&#160;</span> ");
            }
        });
        sb.append("</p>\n").append(table).append("</section>\n");
    }
}
