package io.pvmm.cli;

/** Escaping for the HTML report. */
final class Html {

    private Html() {
    }

    /**
     * Escapes text for an HTML element or attribute.
     *
     * @param s the text
     * @return the text with {@code & < > " '} escaped
     */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
