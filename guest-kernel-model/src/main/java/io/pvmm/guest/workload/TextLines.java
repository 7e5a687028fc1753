package io.pvmm.guest.workload;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a text file one line at a time, with a bound on a line's length, so that a file that is not
 * text ({@code /dev/zero}, a sparse file, a binary) ends in an error naming its line instead of
 * filling memory. Opened on a file, it also names the first line that is not UTF-8 text.
 *
 * <p>A line ends at {@code \n}; a {@code \r} before it is dropped, as {@link java.io.BufferedReader#readLine()}
 * drops it. Not thread-safe: one reader, one thread.
 */
public final class TextLines implements Closeable {

    /** The longest line read, in characters: far beyond any line pvmm writes or strace prints with its default -s 32. */
    public static final int MAX_LINE = 64 * 1024;

    /** What a line must be, for messages. */
    public static final String ACCEPTED = "UTF-8 text, lines of at most " + MAX_LINE + " characters";

    private static final char REPLACED = '\uFFFD';

    private final Reader in;
    private final boolean checksEncoding;
    private final char[] buffer = new char[8192];
    private int position;
    private int limit;
    private int number;

    private TextLines(Reader in, boolean checksEncoding) {
        this.in = in;
        this.checksEncoding = checksEncoding;
    }

    /**
     * Opens a file, decoded as UTF-8; a line holding bytes that are not UTF-8 is reported by {@link #next()}.
     *
     * @param file the file
     * @return the lines
     * @throws IOException if the file cannot be opened
     */
    public static TextLines open(Path file) throws IOException {
        return new TextLines(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)), true);
    }

    /**
     * Reads text already decoded.
     *
     * @param in the text
     * @return the lines
     */
    public static TextLines of(Reader in) {
        return new TextLines(in, false);
    }

    /**
     * Reads the next line.
     *
     * @return the line without its line break, or {@code null} at the end of the text
     * @throws BadLine if the line is longer than {@link #MAX_LINE} or, for a file, not UTF-8
     * @throws IOException if reading fails
     */
    public String next() throws IOException {
        StringBuilder line = null;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (line == null) {
                        return null;
                    }
                    return finish(line);
                }
            }
            if (line == null) {
                line = new StringBuilder();
            }
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            line.append(buffer, start, position - start);
            if (line.length() > MAX_LINE) {
                throw new BadLine(number + 1, "a line longer than " + MAX_LINE + " characters (is it a text file?)");
            }
            if (position < limit) {
                position++; // the \n
                return finish(line);
            }
        }
    }

    private String finish(StringBuilder line) throws BadLine {
        number++;
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
            line.setLength(end - 1);
        }
        if (checksEncoding && line.indexOf(String.valueOf(REPLACED)) >= 0) {
            throw new BadLine(number, "bytes that are not UTF-8 text");
        }
        return line.toString();
    }

    /** @return the number of the line {@link #next()} last returned, from 1 */
    public int number() {
        return number;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** A line that is too long, or not UTF-8: its number and what was found. */
    public static final class BadLine extends IOException {

        private static final long serialVersionUID = 1L;

        private final int line;
        private final String found;

        /**
         * Creates the error.
         *
         * @param line  the line's number, from 1
         * @param found what the line holds
         */
        public BadLine(int line, String found) {
            super("line " + line + ": " + found + "; expected " + ACCEPTED);
            this.line = line;
            this.found = found;
        }

        /** @return the line's number, from 1 */
        public int line() {
            return line;
        }

        /** @return what the line holds, e.g. {@code bytes that are not UTF-8 text} */
        public String found() {
            return found;
        }
    }
}
