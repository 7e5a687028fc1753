package io.pvmm.trace.strace;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes one line of an strace log apart: the pid prefix ({@code 1234 } as {@code -f -o FILE} writes it,
 * or {@code [pid 1234] }), a timestamp ({@code -t}, {@code -tt}, {@code -ttt}, {@code -r}), an instruction
 * pointer ({@code -i}), then a call, half a call, a signal, an exit, or strace's own note. Text inside
 * quotes, brackets, braces and comments is skipped over when looking for the end of the arguments, so
 * {@code execve("/bin/sh", ["sh", "-c", "a) = 0"], ...)} is read right.
 *
 * <p>Lines it does not know (a stack frame of {@code -k}, a summary of {@code -c}) come back as
 * {@link StraceLine.Kind#UNRECOGNISED} with the reason; the lexer never throws.
 */
public final class StraceLexer {

    private static final Pattern PID = Pattern.compile("^(?:\\[pid\\s+(\\d+)\\]|(\\d+))\\s+");
    private static final Pattern TIME = Pattern.compile("^(?:\\d{1,2}:\\d{2}:\\d{2}(?:\\.\\d+)?|\\d+\\.\\d+)\\s+");
    private static final Pattern IP = Pattern.compile("^\\[\\s*[0-9a-fA-F]{8,16}\\]\\s+");
    private static final Pattern EXITED = Pattern.compile("^\\+\\+\\+ exited with (-?\\d+) \\+\\+\\+$");
    private static final Pattern KILLED = Pattern.compile("^\\+\\+\\+ killed by (SIG\\w+)(?: \\(core dumped\\))? \\+\\+\\+$");
    private static final Pattern SUPERSEDED = Pattern.compile("^\\+\\+\\+ superseded by execve in pid (\\d+) \\+\\+\\+$");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. ([A-Za-z_][A-Za-z0-9_]*) resumed>");
    private static final Pattern CALL = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)\\(");
    private static final String UNFINISHED = "<unfinished ...>";

    private StraceLexer() {
    }

    /**
     * Lexes one line.
     *
     * @param number the line's 1-based number
     * @param raw    the line's text, without its line terminator
     * @return the line taken apart
     */
    public static StraceLine lex(int number, String raw) {
        String s = raw.strip();
        if (s.isEmpty()) {
            return new StraceLine(number, StraceLine.NO_PID, StraceLine.Kind.NOTE, "", "", "");
        }
        int pid = StraceLine.NO_PID;
        Matcher m = PID.matcher(s);
        if (m.find()) {
            pid = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
            s = s.substring(m.end());
        }
        m = TIME.matcher(s);
        if (m.find()) {
            s = s.substring(m.end());
        }
        m = IP.matcher(s);
        if (m.find()) {
            s = s.substring(m.end());
        }
        return body(number, pid, s);
    }

    private static StraceLine body(int number, int pid, String s) {
        Matcher m;
        if (s.startsWith("+++")) {
            if ((m = EXITED.matcher(s)).matches()) {
                return new StraceLine(number, pid, StraceLine.Kind.EXITED, m.group(1), "", "");
            }
            if ((m = KILLED.matcher(s)).matches()) {
                return new StraceLine(number, pid, StraceLine.Kind.KILLED, m.group(1), "", "");
            }
            if ((m = SUPERSEDED.matcher(s)).matches()) {
                return new StraceLine(number, pid, StraceLine.Kind.SUPERSEDED, m.group(1), "", "");
            }
            return unrecognised(number, pid, "an exit line of an unknown form");
        }
        if (s.startsWith("--- ") && s.endsWith(" ---")) {
            return new StraceLine(number, pid, StraceLine.Kind.SIGNAL, s.substring(4, s.length() - 4), "", "");
        }
        if (s.startsWith("strace: ")) {
            return new StraceLine(number, pid, StraceLine.Kind.NOTE, s, "", "");
        }
        if (s.startsWith("> ")) {
            return unrecognised(number, pid, "a stack frame (strace -k), which the import does not use");
        }
        if ((m = RESUMED.matcher(s)).find()) {
            String rest = s.substring(m.end());
            int close = closingParen(rest);
            if (close < 0) {
                return unrecognised(number, pid, "a resumed call without its closing parenthesis");
            }
            return new StraceLine(number, pid, StraceLine.Kind.RESUMED, m.group(1), rest.substring(0, close).strip(),
                    result(rest.substring(close + 1)));
        }
        if ((m = CALL.matcher(s)).find()) {
            String rest = s.substring(m.end());
            if (rest.endsWith(UNFINISHED)) {
                return new StraceLine(number, pid, StraceLine.Kind.UNFINISHED, m.group(1),
                        rest.substring(0, rest.length() - UNFINISHED.length()).strip(), "");
            }
            int close = closingParen(rest);
            if (close < 0) {
                return unrecognised(number, pid, "a call without its closing parenthesis (a cut line?)");
            }
            String after = rest.substring(close + 1).strip();
            if (!after.startsWith("=")) {
                return unrecognised(number, pid, "a call without ' = RESULT'");
            }
            return new StraceLine(number, pid, StraceLine.Kind.CALL, m.group(1), rest.substring(0, close).strip(),
                    result(after));
        }
        return unrecognised(number, pid, "not a line strace writes with -f -o FILE");
    }

    private static String result(String tail) {
        String t = tail.strip();
        return t.startsWith("=") ? t.substring(1).strip() : t;
    }

    private static StraceLine unrecognised(int number, int pid, String why) {
        return new StraceLine(number, pid, StraceLine.Kind.UNRECOGNISED, why, "", "");
    }

    /**
     * Finds the parenthesis that closes a call's argument list, skipping what is inside quotes, nested
     * brackets, braces and parentheses, comments, and {@code -y} decorations ({@code 3</path>}).
     *
     * @param s the text after the opening parenthesis
     * @return the index of the closing parenthesis, or -1
     */
    static int closingParen(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> i = endOfString(s, i);
                case '/' -> {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '*') {
                        int end = s.indexOf("*/", i + 2);
                        i = end < 0 ? s.length() : end + 1;
                    }
                }
                case '<' -> {
                    if (i > 0 && Character.isDigit(s.charAt(i - 1))) {
                        int end = s.indexOf('>', i);
                        i = end < 0 ? s.length() : end;
                    }
                }
                case '(', '[', '{' -> depth++;
                case ']', '}' -> depth--;
                case ')' -> {
                    if (depth == 0) {
                        return i;
                    }
                    depth--;
                }
                default -> {
                }
            }
        }
        return -1;
    }

    /**
     * The index of the quote that ends the string starting at {@code open}, escapes skipped.
     *
     * @param s    the text
     * @param open the opening quote's index
     * @return the closing quote's index, or the text's last index if the string is cut
     */
    static int endOfString(String s, int open) {
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return s.length() - 1;
    }
}
