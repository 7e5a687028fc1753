package io.pvmm.trace.strace;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A complete system call as strace showed it, its two halves joined when another process interrupted
 * it: who made it, its arguments split at the top-level commas, and what it returned.
 *
 * @param line   the line where the call ended (where its result is), which is when it took effect
 * @param start  the line where the call began (the same line unless it was interrupted)
 * @param pid    the calling task
 * @param name   the system call
 * @param args   the arguments as strace wrote them, trimmed
 * @param result the return value's text: a number, {@code ?}, or {@code -1 ENOMEM (...)}
 */
public record Syscall(int line, int start, int pid, String name, List<String> args, String result) {

    private static final Pattern RESULT = Pattern.compile("^(0x[0-9a-fA-F]+|-?\\d+|\\?)(?:<[^>]*>)?(?:\\s+([A-Z][A-Z0-9_]*))?");
    private static final Pattern DECORATED = Pattern.compile("^(-?\\d+)<(.*)>$");

    /**
     * Joins the argument texts and splits them.
     *
     * @param line     where the call ended
     * @param start    where it began
     * @param pid      the caller
     * @param name     the call
     * @param argsText the arguments' text
     * @param result   the result's text
     * @return the call
     */
    static Syscall of(int line, int start, int pid, String name, String argsText, String result) {
        return new Syscall(line, start, pid, name, split(argsText), result);
    }

    /** @return whether the call returned a value that is not an error ({@code ?} is not a success) */
    public boolean succeeded() {
        Matcher m = RESULT.matcher(result);
        if (!m.find() || m.group(1).equals("?")) {
            return false;
        }
        return m.group(2) == null && !m.group(1).startsWith("-");
    }

    /** @return the errno name of a failed call ({@code ENOMEM}), or empty */
    public String errno() {
        Matcher m = RESULT.matcher(result);
        return m.find() && m.group(2) != null ? m.group(2) : "";
    }

    /**
     * The return value.
     *
     * @return the value (hexadecimal or decimal)
     * @throws NumberFormatException if the call returned no number
     */
    public long value() {
        Matcher m = RESULT.matcher(result);
        if (!m.find() || m.group(1).equals("?")) {
            throw new NumberFormatException("no return value in '" + result + "'");
        }
        return number(m.group(1));
    }

    /**
     * An argument.
     *
     * @param i its index
     * @return its text, or empty if the call has fewer arguments
     */
    public String arg(int i) {
        return i < args.size() ? args.get(i) : "";
    }

    /**
     * An argument as a number: {@code NULL}, decimal, {@code 0x} hexadecimal or {@code 0} octal, with a
     * {@code -y} decoration ({@code 3</usr/lib/libc.so.6>}) dropped.
     *
     * @param i its index
     * @return the value
     * @throws NumberFormatException if it is not a number
     */
    public long number(int i) {
        String a = arg(i);
        Matcher d = DECORATED.matcher(a);
        return number(d.matches() ? d.group(1) : a);
    }

    /**
     * The path of a {@code -y} decoration on an argument ({@code 3</usr/lib/libc.so.6>}).
     *
     * @param i its index
     * @return the path, or empty
     */
    public String decoration(int i) {
        Matcher d = DECORATED.matcher(arg(i));
        return d.matches() ? d.group(2) : "";
    }

    /**
     * The value of a {@code key=value} argument or structure field, such as clone's {@code flags=}.
     *
     * @param key the key
     * @return the value's text, or empty
     */
    public String field(String key) {
        Matcher m = Pattern.compile("(?:^|[\\s,{(])" + Pattern.quote(key) + "=([^,}\\s)]+)").matcher(String.join(", ", args));
        return m.find() ? m.group(1) : "";
    }

    /**
     * Parses a number as strace writes it.
     *
     * @param s the text
     * @return the value
     * @throws NumberFormatException if it is not a number
     */
    static long number(String s) {
        String v = s.strip().toLowerCase(Locale.ROOT);
        if (v.equals("null")) {
            return 0;
        }
        if (v.startsWith("0x")) {
            return Long.parseUnsignedLong(v.substring(2), 16);
        }
        if (v.length() > 1 && v.startsWith("0") && v.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(v.substring(1), 8);
        }
        return Long.parseLong(v);
    }

    /** Splits at the commas outside quotes, brackets, braces, parentheses, comments and decorations. */
    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                i = StraceLexer.endOfString(text, i);
            } else if (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                i = end < 0 ? text.length() : end + 1;
            } else if (c == '<' && i > 0 && Character.isDigit(text.charAt(i - 1))) {
                int end = text.indexOf('>', i);
                i = end < 0 ? text.length() : end;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(text.substring(from, i).strip());
                from = i + 1;
            }
        }
        String last = text.substring(Math.min(from, text.length())).strip();
        if (!last.isEmpty() || !out.isEmpty()) {
            out.add(last);
        }
        return out;
    }
}
