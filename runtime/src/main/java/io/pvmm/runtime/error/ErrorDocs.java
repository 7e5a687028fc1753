package io.pvmm.runtime.error;

import java.util.Locale;

/**
 * Renders the error catalogue: the whole {@code docs/errors.md} page, or one entry of it as
 * {@code pvmm explain} prints it. Both come from {@link PvmmError}, so they cannot drift apart.
 */
public final class ErrorDocs {

    /** The command that regenerates {@code docs/errors.md} from the catalogue. */
    public static final String REGENERATE = "mvn -B -pl runtime -am verify -Dpvmm.docs.update=true";

    private static final int WIDTH = 100;

    private ErrorDocs() {
    }

    /**
     * The whole page: an introduction, a table of codes, then one section per code with an anchor.
     *
     * @return the Markdown text of {@code docs/errors.md}
     */
    public static String page() {
        StringBuilder sb = new StringBuilder();
        sb.append("# pvmm error codes\n\n");
        sb.append("<!-- Generated from io.pvmm.runtime.error.PvmmError; do not edit by hand. Regenerate with:\n");
        sb.append("     ").append(REGENERATE).append(" -->\n\n");
        sb.append(wrap("Every error pvmm reports begins with a stable code and ends with a link to its entry on this "
                + "page. The message says what was wrong, where the input came from and what is accepted; the entry "
                + "says why it happens and how to fix it. `pvmm explain CODE` prints the same entry in a terminal. "
                + "A code never changes meaning and is never reused."));
        sb.append("\n\n| Code | Title | Exit code |\n|---|---|---|\n");
        for (PvmmError e : PvmmError.values()) {
            sb.append("| [").append(e.code()).append("](#").append(e.anchor()).append(") | ")
                    .append(e.title()).append(" | ").append(e.kind().exitCode()).append(" |\n");
        }
        for (PvmmError e : PvmmError.values()) {
            sb.append("\n<a id=\"").append(e.anchor()).append("\"></a>\n\n").append(entry(e));
        }
        return sb.toString();
    }

    /**
     * One entry: the code and title as a heading, the exit code, the cause, the fix and an example
     * message, in plain text that reads as Markdown too.
     *
     * @param error the entry to render
     * @return the entry's text, ending with a newline
     */
    public static String entry(PvmmError error) {
        StringBuilder sb = new StringBuilder();
        sb.append("## ").append(error.code()).append(' ').append(error.title()).append("\n\n");
        sb.append(error.kind() == ErrorKind.WARNING
                ? "A warning: reported on its own line, and the command goes on (exit code 0 unless something else fails).\n\n"
                : "Exit code " + error.kind().exitCode() + " (" + error.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " error).\n\n");
        sb.append(wrap("Cause: " + error.cause())).append("\n\n");
        sb.append(wrap("Fix: " + error.fix())).append("\n\n");
        sb.append("Example:\n\n");
        for (String line : error.example().getMessage().split("\n")) {
            sb.append("    ").append(line).append('\n');
        }
        return sb.toString();
    }

    private static String wrap(String text) {
        StringBuilder sb = new StringBuilder();
        int column = 0;
        for (String word : text.split(" ")) {
            if (column > 0 && column + 1 + word.length() > WIDTH) {
                sb.append('\n');
                column = 0;
            } else if (column > 0) {
                sb.append(' ');
                column++;
            }
            sb.append(word);
            column += word.length();
        }
        return sb.toString();
    }
}
