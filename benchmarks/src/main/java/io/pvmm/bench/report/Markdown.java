package io.pvmm.bench.report;

import java.util.List;

/** A Markdown document built section by section. */
public final class Markdown {

    private final StringBuilder sb = new StringBuilder();

    /**
     * A heading.
     *
     * @param level 1 to 6
     * @param text  the heading
     * @return this
     */
    public Markdown heading(int level, String text) {
        sb.append("#".repeat(level)).append(' ').append(text).append("\n\n");
        return this;
    }

    /**
     * A paragraph.
     *
     * @param text the text
     * @return this
     */
    public Markdown para(String text) {
        sb.append(text).append("\n\n");
        return this;
    }

    /**
     * A table.
     *
     * @param header the column titles
     * @param rows   the rows, each as long as the header
     * @return this
     */
    public Markdown table(List<String> header, List<List<String>> rows) {
        sb.append("| ").append(String.join(" | ", header)).append(" |\n|");
        header.forEach(h -> sb.append("---|"));
        sb.append('\n');
        for (List<String> row : rows) {
            sb.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        sb.append('\n');
        return this;
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
