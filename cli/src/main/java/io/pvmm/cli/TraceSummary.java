package io.pvmm.cli;

import io.pvmm.guest.workload.TraceWorkload;
import io.pvmm.guest.workload.Workload;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the HTML report says of a replayed trace: its file, the comments at its head (pvmm record and
 * import-strace write there what was recorded, how, and what it holds), and its operations by kind.
 *
 * @param file        the trace file
 * @param description the workload's own description
 * @param comments    the comment lines at the head of the file, without their {@code #}
 * @param census      operations by the trace keyword, in name order
 */
record TraceSummary(Path file, String description, List<String> comments, Map<String, Integer> census) {

    /** How much of the file's head is read for its comments. */
    static final int HEAD_BYTES = 16 * 1024;

    /** The most comment lines kept. */
    static final int MAX_COMMENTS = 20;

    /**
     * The summary of a workload, if it is a trace.
     *
     * @param workload the workload
     * @param file     the file it was read from, or null
     * @return the summary, or null for a built-in workload
     */
    static TraceSummary of(Workload workload, Path file) {
        if (!(workload instanceof TraceWorkload trace) || file == null) {
            return null;
        }
        return new TraceSummary(file, trace.description(), comments(file), new TreeMap<>(trace.census()));
    }

    private static List<String> comments(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEAD_BYTES);
        } catch (IOException e) {
            return List.of(); // it was read whole a moment ago; the report goes on without its comments
        }
        List<String> comments = new ArrayList<>();
        String[] lines = new String(head, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 1; i < lines.length - 1 && comments.size() < MAX_COMMENTS; i++) { // line 0 is the header; the last may be cut
            String line = lines[i].strip();
            if (!line.startsWith("#")) {
                if (!line.isEmpty()) {
                    break;
                }
                continue;
            }
            comments.add(line.substring(1).strip());
        }
        return comments;
    }

    /**
     * Appends the trace's section.
     *
     * @param sb the page
     */
    void append(StringBuilder sb) {
        sb.append("<section id=\"trace\">\n<h2>Trace replayed</h2>\n<p class=\"meta\">").append(Html.escape(file.toString())).append(" &#183; ")
                .append(Html.escape(description)).append("; process events are marked on the timelines below</p>\n");
        if (!comments.isEmpty()) {
            sb.append("<pre class=\"comments\">");
            comments.forEach(c -> sb.append(Html.escape(c)).append('\n'));
            sb.append("</pre>\n");
        }
        sb.append("<table class=\"census\">\n<tr>");
        census.keySet().forEach(k -> sb.append("<th>").append(Html.escape(k)).append("</th>"));
        sb.append("</tr>\n<tr>");
        census.values().forEach(v -> sb.append("<td>").append(v).append("</td>"));
        sb.append("</tr>\n</table>\n</section>\n");
    }
}
